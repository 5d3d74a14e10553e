import { describe, expect, it } from 'vitest';
import { EngineError } from '../errors.js';
import type { TriedEndpoint } from './discover.js';
import { engineUnreachableError, UNREACHABLE_FIRST_LINE, unreachableMessage } from './unreachable.js';

const missing: TriedEndpoint = {
  host: 'unix:///var/run/docker.sock',
  source: 'default socket',
  failure: 'missing',
  detail: 'no socket file at /var/run/docker.sock',
  explicit: false,
};
const colimaRefused: TriedEndpoint = {
  host: 'unix:///home/me/.colima/default/docker.sock',
  source: 'Colima socket',
  failure: 'refused',
  detail: 'connection refused at /home/me/.colima/default/docker.sock (nothing listens there)',
  explicit: false,
};

describe('unreachableMessage', () => {
  it("keeps the original CLI's first line, install advice and last line word for word", () => {
    const lines = unreachableMessage([missing]).split('\n');
    expect(lines[0]).toBe('Docker is not running. Agent-runner requires Docker.');
    expect(UNREACHABLE_FIRST_LINE).toBe(lines[0]);
    expect(lines.at(-1)).toBe('After installing Docker, restart Stigmer server.');
    const text = lines.join('\n');
    expect(text).toContain(
      [
        'Please start Docker Desktop or install Docker:',
        '  - macOS:  brew install --cask docker',
        '  - Linux:  curl -fsSL https://get.docker.com -o get-docker.sh && sudo sh get-docker.sh',
        '  - Windows: Download from https://www.docker.com/products/docker-desktop',
      ].join('\n'),
    );
  });

  it('lists every endpoint tried with its source and why it failed', () => {
    const text = unreachableMessage([missing, colimaRefused]);
    expect(text).toContain(
      [
        'Tried:',
        '  - unix:///var/run/docker.sock (default socket): no socket file at /var/run/docker.sock',
        '  - unix:///home/me/.colima/default/docker.sock (Colima socket): connection refused at /home/me/.colima/default/docker.sock (nothing listens there)',
      ].join('\n'),
    );
  });

  it('suggests DOCKER_HOST and `docker context use` when discovery looked in the usual places', () => {
    const text = unreachableMessage([missing]);
    expect(text).toContain('set DOCKER_HOST');
    expect(text).toContain('`docker context use NAME`');
    expect(text).not.toContain('permission denied');
  });

  it('says that only DOCKER_HOST was tried when it is set, and how to go back to discovery', () => {
    const text = unreachableMessage([
      {
        host: 'tcp://127.0.0.1:2375',
        source: 'DOCKER_HOST',
        failure: 'refused',
        detail: 'refused',
        explicit: true,
      },
    ]);
    expect(text).toContain('DOCKER_HOST is set to tcp://127.0.0.1:2375, so only that address was tried');
    expect(text).toContain('unset DOCKER_HOST');
  });

  it('names the selected docker context and how to switch away from it', () => {
    const text = unreachableMessage([
      {
        host: 'unix:///home/me/.colima/default/docker.sock',
        source: 'docker context "colima" (DOCKER_CONTEXT)',
        failure: 'missing',
        detail: 'no socket file',
        explicit: true,
      },
    ]);
    expect(text).toContain(
      'The docker context "colima" is selected (by DOCKER_CONTEXT), so only its endpoint was tried.',
    );
    expect(text).toContain('`docker context use default`');
  });

  it('names the stigmer setting that chose the address', () => {
    const text = unreachableMessage([
      {
        host: 'unix:///x.sock',
        source: 'the --docker-host flag',
        failure: 'missing',
        detail: 'no socket',
        explicit: true,
      },
    ]);
    expect(text).toContain(
      'The engine address unix:///x.sock was set by the --docker-host flag, so only it was tried.',
    );
  });

  it('gives permission denied its own advice: the docker group', () => {
    const text = unreachableMessage([
      {
        host: 'unix:///var/run/docker.sock',
        source: 'default socket',
        failure: 'permission-denied',
        detail: 'permission denied on /var/run/docker.sock',
        explicit: false,
      },
    ]);
    expect(text).toContain('this user may not open unix:///var/run/docker.sock (permission denied)');
    expect(text).toContain('sudo usermod -aG docker "$USER"');
    expect(text).toContain('newgrp docker');
  });
});

describe('engineUnreachableError', () => {
  it('is an EngineError with code ENGINE_UNREACHABLE and the endpoints in details', () => {
    const cause = new Error('connect ENOENT');
    const error = engineUnreachableError([missing], cause);
    expect(error).toBeInstanceOf(EngineError);
    expect(error.code).toBe('ENGINE_UNREACHABLE');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe(unreachableMessage([missing]));
    expect(error.details).toEqual({
      tried: [
        {
          host: 'unix:///var/run/docker.sock',
          source: 'default socket',
          failure: 'missing',
          detail: 'no socket file at /var/run/docker.sock',
        },
      ],
    });
  });
});
