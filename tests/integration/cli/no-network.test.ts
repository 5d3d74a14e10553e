import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient, engineAddress } from '../harness/engine.js';
import { type OfflineEngine, startOfflineEngine } from '../harness/offline-engine.js';
import { spawnCollect } from '../harness/process.js';
import { escapeRegExp } from '../harness/regexp.js';
import { buildHintLines, triedLines } from '../pull/helpers.js';
import { projectDir, STIGMER_BIN } from './run.js';

/**
 * A new user's first `stigmer server start` (what `npm start` runs) on a
 * machine with no image and no network: the engine and the CLI run in a
 * network namespace with only loopback, where no registry name resolves and
 * nothing listens. The answer comes at once, says what happened and what was
 * tried, then shows the original CLI's build hint with the real reference and
 * error, and exits with the failure class's code.
 */

let engine: OfflineEngine;
beforeAll(async () => {
  engine = await startOfflineEngine();
});
afterAll(async () => {
  await engine?.stop();
});

/** `stigmer ARGS` run inside the namespace, against its engine. */
function offlineStigmer(args: string[], cwd: string) {
  const env = { PATH: process.env.PATH ?? '', HOME: cwd, DOCKER_HOST: engine.dockerHost };
  return spawnCollect('nsenter', [`--net=${engine.netns}`, process.execPath, STIGMER_BIN, ...args], {
    cwd,
    env,
  }).done;
}

/** The default chain, its registry plugin pointed at `registry` (never a real one). */
const project = (registry: string) =>
  projectDir({
    '.stigmerrc': JSON.stringify({
      plugins: ['local-image', ['ghcr', { registry }], 'build-hint', 'agent-runner'],
    }),
  });

const LOCAL_TAG = 'stigmer-agent-runner:local';

describe('no network', () => {
  it('a registry name that does not resolve: the DNS failure, retried once, then the build hint word for word; exit 9', async () => {
    const cwd = await project('ghcr.invalid');
    const r = await offlineStigmer(['server', 'start'], cwd);
    const reference = 'ghcr.invalid/stigmer/agent-runner:latest';
    const said = `Get "https://ghcr.invalid/v2/": dial tcp: lookup ghcr.invalid on 127.0.0.1:53: no such host`;
    const classified = [
      `Could not reach the registry ghcr.invalid to pull ${reference}: its name could not be resolved (DNS); stigmer tried 2 times.`,
      `Last error: ${said}`,
      'To fix: check the network connection (DNS, proxy, VPN) and that ghcr.invalid is the registry you mean, then run the command again.',
    ];
    expect(r.exitCode).toBe(9);
    const lines = r.stderr.split('\n');
    // Progress: the pull, and a single retry (not three, with backoff).
    expect(lines[0]).toBe(`Pulling ${reference}`);
    expect(lines[1]).toMatch(
      new RegExp(
        `^Retrying ${escapeRegExp(reference)} in \\d\\.\\ds \\(attempt 2\\): temporary error: ${escapeRegExp(said)}$`,
      ),
    );
    expect(lines.slice(2).join('\n')).toBe(
      [
        ...classified,
        '',
        ...buildHintLines(reference, said, LOCAL_TAG),
        '',
        ...triedLines(LOCAL_TAG, classified[0] as string, 'resolve'),
        '',
      ].join('\n'),
    );
    // Nothing was made: no image, no container.
    const docker = dockerClient(engineAddress({ DOCKER_HOST: engine.dockerHost }));
    expect(await docker.listContainers({ all: true })).toEqual([]);
    expect(await docker.listImages()).toEqual([]);
  });

  it('a registry where nothing listens: refused, retried once, the build hint in the JSON error; exit 9', async () => {
    const cwd = await project('127.0.0.1:9');
    const r = await offlineStigmer(['image', 'resolve', '--json'], cwd);
    expect(r.exitCode).toBe(9);
    const { error } = JSON.parse(r.stdout);
    const reference = '127.0.0.1:9/stigmer/agent-runner:latest';
    expect(error.details).toMatchObject({ reference, kind: 'unreachable', attempts: 2 });
    expect(error.details.said).toMatch(/dial tcp 127\.0\.0\.1:9: connect: connection refused$/);
    const classified = [
      `Could not reach the registry 127.0.0.1:9 to pull ${reference}: nothing accepted the connection; stigmer tried 2 times.`,
      `Last error: ${error.details.said}`,
      'To fix: check the network connection (DNS, proxy, VPN) and that 127.0.0.1:9 is the registry you mean, then run the command again.',
    ];
    expect(error).toMatchObject({
      code: 'PULL_TRANSIENT',
      exitCode: 9,
      plugin: 'stigmer:ghcr',
      message: [
        ...classified,
        '',
        ...buildHintLines(reference, error.details.said, LOCAL_TAG),
        '',
        ...triedLines(LOCAL_TAG, classified[0] as string, 'resolve'),
      ].join('\n'),
    });
  });
});
