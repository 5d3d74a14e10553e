import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { harness, harnessDocker } from '../harness/context.js';
import { type EngineProxy, startEngineProxy } from '../harness/engine-proxy.js';
import { removeImages } from '../harness/images.js';
import { cleanupFixtures, removeServerImage, runStigmer, serverFixture } from './helpers.js';

let proxy: EngineProxy | undefined;
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
  await cleanupFixtures();
});
afterAll(removeServerImage);

/** The engine calls of one command, counted by a proxy in front of the engine. */
async function engineCalls(args: string[], settleTime = '0s') {
  const f = await serverFixture({ server: { settleTime } });
  proxy = await startEngineProxy(harness().dockerHost);
  const result = await runStigmer(f, args, { DOCKER_HOST: proxy.host });
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return { f, calls: [...proxy.calls] };
}

describe('a pull makes no more engine round trips than the work needs', () => {
  it('image pull: the version, the image before, the pull, the image after, the tag; the chain checks nothing again', async () => {
    const registry = harness().openRegistry;
    const f = await serverFixture({ localImage: false, ghcr: { registry, tag: '0.1.0' } });
    proxy = await startEngineProxy(harness().dockerHost);
    const result = await runStigmer(f, ['image', 'pull'], { DOCKER_HOST: proxy.host });
    expect(result.exitCode).toBe(0);
    const remote = `${registry}/stigmer/agent-runner:0.1.0`;
    expect(proxy.calls.map((c) => c.replace(/sha256:[0-9a-f]{64}/, 'ID'))).toEqual([
      'GET /version',
      `GET /images/${remote}/json`,
      'POST /images/create',
      `GET /images/${remote}/json`,
      'POST /images/ID/tag',
    ]);
    await removeImages(harnessDocker(), [remote]);
  });
});

describe('server start makes no more engine round trips than the work needs', () => {
  it('a fresh start: the version, the image once, the container by name and by labels, create, start, one look', async () => {
    const { f, calls } = await engineCalls(['server', 'start']);
    const idOf = (call: string) => call.replace(/\/containers\/[0-9a-f]{64}\//, '/containers/ID/');
    expect(calls.map(idOf).sort()).toEqual(
      [
        'GET /version',
        `GET /images/${f.localTag}/json`,
        `GET /containers/${f.name}/json`,
        'GET /containers/json',
        'POST /containers/create',
        'POST /containers/ID/start',
        'GET /containers/ID/json',
      ].sort(),
    );
  });

  it('already running: the version, the image once, the container from the state file, nothing else', async () => {
    const f = await serverFixture({ server: { settleTime: '0s' } });
    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    proxy = await startEngineProxy(harness().dockerHost);
    const result = await runStigmer(f, ['server', 'start'], { DOCKER_HOST: proxy.host });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('already running');
    expect(proxy.calls.map((c) => c.replace(/[0-9a-f]{64}/, 'ID')).sort()).toEqual(
      ['GET /version', `GET /images/${f.localTag}/json`, 'GET /containers/ID/json'].sort(),
    );
  });
});
