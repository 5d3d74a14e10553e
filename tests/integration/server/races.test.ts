import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { harness, harnessDocker } from '../harness/context.js';
import { imageExists as hasImage, removeImages } from '../harness/images.js';
import {
  cleanupFixtures,
  inspect,
  removeServerImage,
  runStigmer,
  serverFixture,
  serverImage,
  spawnStigmer,
  until,
} from './helpers.js';
import { type StallingRegistry, startStallingRegistry } from './stalling-registry.js';

const registries: StallingRegistry[] = [];
const pulled: string[] = [];

afterAll(removeServerImage);

afterEach(async () => {
  // Stalled transfers must be torn down, or the engine hangs the next pull of that layer.
  await Promise.all(registries.splice(0).map((r) => r.close()));
  await removeImages(harnessDocker(), pulled.splice(0));
  await cleanupFixtures();
});

const imageExists = (reference: string) => hasImage(harnessDocker(), reference);

async function labelledContainers(dataDir: string) {
  return harnessDocker().listContainers({
    all: true,
    filters: JSON.stringify({ label: [`org.stigmer.data-dir=${dataDir}`] }),
  });
}

/** A fixture whose image is missing locally and whose pull stalls forever after the first bytes of the layer. */
async function stalledFixture() {
  const registry = await startStallingRegistry();
  registries.push(registry);
  const fixture = await serverFixture({ localImage: false, ghcr: { registry: registry.host, tag: 'stall' } });
  return { registry, fixture, remote: `${registry.host}/stigmer/agent-runner:stall` };
}

describe('stigmer server start: concurrency and interruption', () => {
  it('lets only one of two simultaneous starts pull and create; the other waits and finds it running', async () => {
    const registry = harness().openRegistry;
    const f = await serverFixture({ localImage: false, ghcr: { registry, tag: '0.1.0' } });
    pulled.push(`${registry}/stigmer/agent-runner:0.1.0`);
    const [a, b] = await Promise.all([
      spawnStigmer(f, ['server', 'start', '--json']).done,
      spawnStigmer(f, ['server', 'start', '--json']).done,
    ]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    const docs = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(docs.map((d) => d.action).sort()).toEqual(['already-running', 'started']);
    // Exactly one run pulled (ghcr resolved); the other found the pulled image locally.
    const resolvers = docs.map(
      (d) =>
        d.trace.find(
          (e: { hook: string; outcome: string }) => e.hook === 'resolveImage' && e.outcome === 'resolved',
        )?.plugin,
    );
    expect(resolvers.sort()).toEqual(['stigmer:ghcr', 'stigmer:local-image']);
    expect(await labelledContainers(f.dataDir)).toHaveLength(1);
    expect(docs[0].container.id).toBe(docs[1].container.id);
  });

  it('on SIGINT during the pull: aborts it, leaves no container, tag or lock, and exits 130', async () => {
    const { registry, fixture: f, remote } = await stalledFixture();
    const run = spawnStigmer(f, ['server', 'start']);
    await registry.layerRequested;
    const sent = Date.now();
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.exitCode).toBe(130);
    expect(Date.now() - sent).toBeLessThan(5_000);
    expect(result.stderr).toContain('Interrupted by SIGINT');
    expect(await inspect(f.name)).toBeUndefined();
    expect(await labelledContainers(f.dataDir)).toHaveLength(0);
    expect(await imageExists(f.localTag)).toBe(false);
    expect(await imageExists(remote)).toBe(false);
    await expect(readFile(path.join(f.dataDir, 'server.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('on SIGTERM during the pull: the same, with exit 143', async () => {
    const { registry, fixture: f } = await stalledFixture();
    const run = spawnStigmer(f, ['server', 'start', '--json']);
    await registry.layerRequested;
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.exitCode).toBe(143);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      error: { code: 'INTERRUPTED', exitCode: 143 },
    });
    expect(await labelledContainers(f.dataDir)).toHaveLength(0);
    await expect(readFile(path.join(f.dataDir, 'server.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('after a start is killed with SIGKILL mid-pull, the next start takes over its stale lock and starts', async () => {
    const { registry, fixture: f } = await stalledFixture();
    const run = spawnStigmer(f, ['server', 'start']);
    await registry.layerRequested;
    const lockFile = path.join(f.dataDir, 'server.lock');
    const holder = JSON.parse(await readFile(lockFile, 'utf8'));
    expect(holder).toMatchObject({ pid: run.child.pid, command: 'server start' });
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    // The killed process could not clean up: its lock is still there.
    expect(JSON.parse(await readFile(lockFile, 'utf8')).pid).toBe(run.child.pid);
    expect(await labelledContainers(f.dataDir)).toHaveLength(0);

    // The image is now present locally; the next start must not wait for the dead holder.
    const [repo, t] = f.localTag.split(':') as [string, string];
    await harnessDocker()
      .getImage(await serverImage())
      .tag({ repo, tag: t });
    const started = Date.now();
    const next = await runStigmer(f, ['server', 'start']);
    expect(next.exitCode).toBe(0);
    expect(next.stderr).not.toContain('Waiting for another stigmer');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await inspect(f.name))?.State.Running).toBe(true);
    await until(
      async () => (await readFile(lockFile).catch(() => undefined)) === undefined,
      2_000,
      'lock released',
    );
  });

  it('waits on a lock held from another host, and says which file to delete if that process is gone', async () => {
    const f = await serverFixture();
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(f.dataDir, { recursive: true });
    const lockFile = path.join(f.dataDir, 'server.lock');
    const holder = {
      pid: 1,
      startTime: '1',
      host: 'elsewhere.example',
      command: 'server start',
      acquiredAt: 'then',
      token: 't',
    };
    await writeFile(lockFile, JSON.stringify(holder));
    const run = spawnStigmer(f, ['server', 'start']);
    let stderr = '';
    run.child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
    });
    await until(() => stderr.includes(`delete ${lockFile}`), 10_000, 'the waiting message');
    expect(stderr).toContain('pid 1 on elsewhere.example');
    run.child.kill('SIGINT');
    expect((await run.done).exitCode).toBe(130);
    // The other host's lock is not ours to delete.
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ host: 'elsewhere.example' });
    expect(await inspect(f.name)).toBeUndefined();
  });

  it('a second start waits for a running one and says so', async () => {
    const { registry, fixture: f } = await stalledFixture();
    const first = spawnStigmer(f, ['server', 'start']);
    await registry.layerRequested;
    const second = spawnStigmer(f, ['server', 'start']);
    let secondStderr = '';
    second.child.stderr?.on('data', (d: Buffer) => {
      secondStderr += d;
    });
    await until(
      () => secondStderr.includes('Waiting for another stigmer'),
      10_000,
      'the second start to wait',
    );
    expect(secondStderr).toContain(`pid ${first.child.pid}`);
    first.child.kill('SIGINT');
    expect((await first.done).exitCode).toBe(130);
    // Now the second holds the lock and stalls on the same pull; interrupt it too.
    await until(
      async () => {
        const lock = await readFile(path.join(f.dataDir, 'server.lock'), 'utf8').catch(() => '{}');
        return JSON.parse(lock).pid === second.child.pid;
      },
      10_000,
      'the second start to take the lock',
    );
    second.child.kill('SIGINT');
    expect((await second.done).exitCode).toBe(130);
  });
});
