import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { harnessDocker } from '../harness/context.js';
import { removeImages } from '../harness/images.js';
import { buildHintLines, triedLines, useFaultProxy } from '../pull/helpers.js';
import { projectDir, stigmer } from './run.js';

/**
 * What the build hint says when no registry was asked (offline mode, pull
 * policy `never`), with or without the offline plugin, and how it follows
 * the config: the configured local tag, and `--build` first when the rebuild
 * plugin is loaded. The registry sits behind a recording proxy, which proves
 * that no registry was asked when the message says so.
 */

const fixture = useFaultProxy();
let counter = 0;
const localTag = () => `stigmer-it/hint:t${process.pid}-${++counter}`;
const built: string[] = [];
afterAll(() => removeImages(harnessDocker(), built));

const BRING =
  'Or bring the image from a machine that has it: run `stigmer image export DIR` there, copy DIR here, then run `stigmer image import DIR`.';

/** The build section for `tag`, as the hint shows it. */
const buildSection = (tag: string, first: string[] = []) => [
  'To fix this, build the image locally:',
  ...first.map((c) => `  ${c}`),
  `  make build-agent-runner-image AGENT_RUNNER_IMAGE=${tag}`,
  '',
  'Or if you have the repository:',
  '  cd backend/services/agent-runner',
  `  docker build -f Dockerfile -t ${tag} ../../..`,
];

async function project(tag: string, plugins: unknown[], files: Record<string, string> = {}) {
  return projectDir({ '.stigmerrc': JSON.stringify({ image: { localTag: tag }, plugins }), ...files });
}

const ghcr = (tagToPull = '0.1.0') => ['ghcr', { registry: fixture.proxy.host, tag: tagToPull }];

describe('no registry asked', () => {
  it('--offline without the offline plugin: not in the engine, no registry asked because offline, build or bring it; exit 3', async () => {
    const tag = localTag();
    const cwd = await project(tag, ['local-image', ghcr(), 'build-hint']);
    const r = await stigmer(['image', 'resolve', '--offline'], { cwd });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe(
      [
        `Docker image ${tag} is not in the local engine, and no registry was asked: offline mode is on (--offline, "offline: true" in the config, or STIGMER_OFFLINE).`,
        '',
        ...buildSection(tag),
        '',
        BRING,
        '',
        'After building or importing, restart Stigmer server.',
        '',
        'What each plugin tried:',
        `  - stigmer:local-image: ${tag} is not in the local engine`,
        `  - stigmer:ghcr: not pulling ${fixture.proxy.host}/stigmer/agent-runner:0.1.0: offline mode`,
        '',
      ].join('\n'),
    );
    expect(fixture.proxy.requests).toEqual([]);
  });

  it('--pull never: no registry asked because of the pull policy, and how to let stigmer pull; exit 3', async () => {
    const tag = localTag();
    const cwd = await project(tag, ['local-image', ghcr(), 'build-hint']);
    const r = await stigmer(['server', 'start', '--pull', 'never'], { cwd });
    expect(r.exitCode).toBe(3);
    const lines = r.stderr.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `Docker image ${tag} is not in the local engine, and no registry was asked: the pull policy is "never" (--pull never, image.pullPolicy in the config, or STIGMER_PULL_POLICY).`,
      'To let stigmer pull it, run the command again with --pull missing.',
      '',
    ]);
    expect(lines).toContain(BRING);
    expect(r.stderr).not.toMatch(/pull from registry failed|no pull was attempted/);
    expect(fixture.proxy.requests).toEqual([]);
    // And the way out it names works: the same command with --pull missing pulls.
    built.push(tag, `${fixture.proxy.host}/stigmer/agent-runner:0.1.0`);
    const pulled = await stigmer(['image', 'resolve', '--pull', 'missing', '--quiet'], { cwd });
    expect(pulled.exitCode).toBe(0);
    expect(pulled.stdout).toContain(tag);
  });

  it('--offline with the offline plugin first: its hint, then only the build section, nothing said twice', async () => {
    const tag = localTag();
    const cwd = await project(tag, ['offline', 'local-image', ghcr(), 'build-hint']);
    const r = await stigmer(['image', 'resolve', '--offline'], { cwd });
    expect(r.exitCode).toBe(3);
    const [offlineHint, buildHint] = r.stderr.split('\n\nTo fix this, build the image locally:\n');
    expect(offlineHint?.split('\n')[0]).toBe(
      'Offline mode: the agent-runner image is not in the local engine, and no registry was asked (nothing may touch the network).',
    );
    expect(offlineHint).toContain(`  stigmer image export DIR --config ${path.join(cwd, '.stigmerrc')}`);
    expect(`To fix this, build the image locally:\n${buildHint}`).toBe(
      [...buildSection(tag), '', 'After building or importing, restart Stigmer server.', ''].join('\n'),
    );
    expect(r.stderr.match(/What each plugin tried|Tried:/g)).toEqual(['Tried:']);
    expect(fixture.proxy.requests).toEqual([]);
  });
});

describe('the build hint follows the config', () => {
  const rebuildFiles = {
    'runner/Dockerfile': 'FROM scratch\nCOPY poetry.lock /app/poetry.lock\n',
    'runner/poetry.lock': '# lock 1\n',
  };
  const ENV = { DOCKER_BUILDKIT: '0' };

  it('with the rebuild plugin after a tag the registry lacks: leads with stigmer server start --build, which works', async () => {
    const tag = localTag();
    const plugins = ['local-image', ghcr('no-such-tag'), ['rebuild', { source: './runner' }], 'build-hint'];
    const cwd = await project(tag, plugins, rebuildFiles);
    const r = await stigmer(['image', 'resolve', '--quiet'], { cwd, env: ENV });
    expect(r.exitCode).toBe(3);
    const reference = `${fixture.proxy.host}/stigmer/agent-runner:no-such-tag`;
    expect(r.stderr.split('\n').slice(0, 16)).toEqual([
      'Docker image not found locally and pull from registry failed.',
      '',
      `Registry pull attempted: ${reference}`,
      `Error: manifest for ${reference} not found: manifest unknown: manifest unknown`,
      '',
      ...buildSection(tag, ['stigmer server start --build']),
      '',
      'After building, restart Stigmer server.',
      '',
      BRING,
    ]);
    built.push(tag);
    const again = await stigmer(['image', 'resolve', '--build', '--quiet'], { cwd, env: ENV });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(`from a build of ${path.join(cwd, 'runner')}`);
  });

  it('with the rebuild plugin after a registry that cannot be reached: --build --pull never, which works', async () => {
    const tag = localTag();
    const plugins = [
      'local-image',
      ['ghcr', { registry: '127.0.0.1:9', tag: '0.1.0' }],
      ['rebuild', { source: './runner' }],
      'build-hint',
    ];
    const cwd = await project(tag, plugins, rebuildFiles);
    const r = await stigmer(['image', 'resolve', '--quiet'], { cwd, env: ENV });
    expect(r.exitCode).toBe(9);
    const reference = '127.0.0.1:9/stigmer/agent-runner:0.1.0';
    const classified = r.stderr.split('\n').slice(0, 3);
    const said = (classified[1] as string).replace(/^Last error: /, '');
    expect(r.stderr).toBe(
      [
        ...classified,
        '',
        ...buildHintLines(reference, said, tag).flatMap((line) =>
          line === `  make build-agent-runner-image AGENT_RUNNER_IMAGE=${tag}`
            ? ['  stigmer server start --build --pull never', line]
            : [line],
        ),
        '',
        ...triedLines(tag, classified[0] as string, 'resolve'),
        '',
      ].join('\n'),
    );
    built.push(tag);
    const again = await stigmer(['image', 'resolve', '--build', '--pull', 'never', '--quiet'], {
      cwd,
      env: ENV,
    });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(`from a build of ${path.join(cwd, 'runner')}`);
  });

  it('names the default local tag as the original did', async () => {
    const cwd = await projectDir({
      '.stigmerrc': JSON.stringify({ plugins: ['local-image', ghcr(), 'build-hint'] }),
    });
    const r = await stigmer(['image', 'resolve', '--offline'], { cwd });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain(
      'To fix this, build the image locally:\n  make build-agent-runner-image\n\nOr if you have the repository:\n  cd backend/services/agent-runner\n  docker build -f Dockerfile -t stigmer-agent-runner:local ../../..\n',
    );
  });
});
