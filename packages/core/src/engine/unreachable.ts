import { EngineError } from '../errors.js';
import type { TriedEndpoint } from './discover.js';

/**
 * The message stigmer prints when no Docker engine answers. Its first line is
 * the original CLI's, word for word, so people (and scripts) who know it still
 * recognise it; what follows says where stigmer looked and what to do.
 */

export const UNREACHABLE_FIRST_LINE = 'Docker is not running. Agent-runner requires Docker.';

const INSTALL_ADVICE = [
  'Please start Docker Desktop or install Docker:',
  '  - macOS:  brew install --cask docker',
  '  - Linux:  curl -fsSL https://get.docker.com -o get-docker.sh && sudo sh get-docker.sh',
  '  - Windows: Download from https://www.docker.com/products/docker-desktop',
];

const LAST_LINE = 'After installing Docker, restart Stigmer server.';

/** Where the advice about choosing an endpoint depends on how it was chosen. */
function choiceAdvice(tried: readonly TriedEndpoint[]): string[] {
  const explicit = tried.find((endpoint) => endpoint.explicit);
  if (explicit === undefined) {
    return [
      'If your engine listens somewhere else, point stigmer at it: set DOCKER_HOST',
      '(for example DOCKER_HOST=unix:///path/to/docker.sock) or select its docker context',
      'with `docker context use NAME`.',
    ];
  }
  if (explicit.source === 'DOCKER_HOST') {
    return [
      `DOCKER_HOST is set to ${explicit.host}, so only that address was tried (as the docker CLI does).`,
      'Start the engine behind it, or unset DOCKER_HOST to use the local socket',
      '(stigmer then also looks for Docker Desktop, Colima, OrbStack, Rancher Desktop and Podman).',
    ];
  }
  const context = /^docker context "(.*)" \((.*)\)$/.exec(explicit.source);
  if (context) {
    return [
      `The docker context "${context[1]}" is selected (by ${context[2]}), so only its endpoint was tried.`,
      'Start the engine it points to, or choose another with `docker context use NAME`',
      '(`docker context ls` lists them; `docker context use default` selects the local socket).',
    ];
  }
  return [
    `The engine address ${explicit.host} was set by ${explicit.source}, so only it was tried.`,
    'Start the engine there, or remove that setting to let stigmer look for one (DOCKER_HOST,',
    'docker contexts, then the usual sockets).',
  ];
}

function permissionAdvice(tried: readonly TriedEndpoint[]): string[] {
  const denied = tried.filter((endpoint) => endpoint.failure === 'permission-denied');
  if (denied.length === 0) return [];
  const where = denied.map((endpoint) => endpoint.host).join(', ');
  return [
    `Docker may well be running: this user may not open ${where} (permission denied).`,
    'Add your user to the docker group, then log out and back in (or run `newgrp docker`):',
    '  sudo usermod -aG docker "$USER"',
    'Rootless Docker and Podman users: point DOCKER_HOST at your own socket instead.',
    '',
  ];
}

/** The full text: the original first line, then what was tried and what to do. */
export function unreachableMessage(tried: readonly TriedEndpoint[]): string {
  const lines = [UNREACHABLE_FIRST_LINE, ''];
  if (tried.length > 0) {
    lines.push('Tried:');
    for (const endpoint of tried) {
      lines.push(`  - ${endpoint.host} (${endpoint.source}): ${endpoint.detail}`);
    }
    lines.push('');
  }
  lines.push(...permissionAdvice(tried));
  lines.push(...INSTALL_ADVICE, '');
  lines.push(...choiceAdvice(tried), '');
  lines.push(LAST_LINE);
  return lines.join('\n');
}

/** `EngineError('ENGINE_UNREACHABLE')` with that message; `details.tried` lists the endpoints for `--json`. */
export function engineUnreachableError(tried: readonly TriedEndpoint[], cause?: unknown): EngineError {
  return new EngineError('ENGINE_UNREACHABLE', unreachableMessage(tried), {
    ...(cause === undefined ? {} : { cause }),
    details: {
      tried: tried.map(({ host, source, failure, detail }) => ({ host, source, failure, detail })),
    },
  });
}
