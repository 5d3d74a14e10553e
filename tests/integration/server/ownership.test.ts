import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { harnessDocker } from '../harness/context.js';
import { removeImages } from '../harness/images.js';
import {
  cleanupFixtures,
  commitHealthImages,
  inspect,
  removeServerImage,
  runStigmer,
  type ServerFixture,
  serverFixture,
  serverImage,
  spawnStigmer,
  until,
} from './helpers.js';

/**
 * stigmer touches only containers it owns for this data folder: a container
 * of the configured name without its labels (someone's `docker run`), or one
 * another stigmer started for another data folder, is never stopped, replaced
 * or removed, by `server start`, `server start --restart` or `server stop`.
 * Each test checks what is left in the engine afterwards, id for id.
 */

afterEach(cleanupFixtures);
afterAll(removeServerImage);

/** Containers the tests made by hand, removed after each test. */
const foreign: string[] = [];
afterEach(async () => {
  for (const id of foreign.splice(0)) {
    await harnessDocker()
      .getContainer(id)
      .remove({ force: true })
      .catch(() => {});
  }
});

/** A container named `name` made with `docker create` (and started when asked), with these labels. */
async function handMade(name: string, labels: Record<string, string>, start: boolean) {
  const container = await harnessDocker().createContainer({
    name,
    Image: await serverImage(),
    Cmd: ['sh', '-c', 'while :; do sleep 1; done'],
    Labels: labels,
    HostConfig: { Init: true },
  });
  foreign.push(container.id);
  if (start) await container.start();
  return container.id;
}

/** Every container of the engine carrying the data-dir label of `dataDir`. */
async function labelled(dataDir: string) {
  return harnessDocker().listContainers({
    all: true,
    filters: JSON.stringify({ label: [`org.stigmer.data-dir=${dataDir}`] }),
  });
}

async function stateFile(f: ServerFixture): Promise<string | undefined> {
  return readFile(path.join(f.dataDir, 'agent-runner.json'), 'utf8').catch(() => undefined);
}

const stigmerLabels = (dataDir: string) => ({
  'org.stigmer.managed-by': 'stigmer',
  'org.stigmer.component': 'agent-runner',
  'org.stigmer.data-dir': dataDir,
});

describe('a container of the configured name that stigmer did not start', () => {
  it('server start refuses with exit 15 naming it and how to remove it; the stopped container stays', async () => {
    const f = await serverFixture();
    const id = await handMade(f.name, {}, false);
    const result = await runStigmer(f, ['server', 'start']);
    expect(result.exitCode).toBe(15);
    expect(result.stderr).toBe(
      [
        `A container named ${f.name} already exists and stigmer did not start it (it has no org.stigmer labels for this data folder); stigmer left it alone.`,
        `It is created (id ${id.slice(0, 12)}, image ${await serverImage()}).`,
        `To fix: remove it yourself if it is not needed (\`docker rm -f ${f.name}\`), or give this data folder's agent-runner another name with "server.containerName" (STIGMER_CONTAINER_NAME).`,
        '',
      ].join('\n'),
    );
    expect(result.stderr).not.toContain('Removing');
    const after = await inspect(f.name);
    expect(after?.Id).toBe(id);
    expect(after?.State.Status).toBe('created');
    expect(await labelled(f.dataDir)).toEqual([]);
    expect(await stateFile(f)).toBeUndefined();
  });

  it('server start --restart refuses a running one too, and leaves it running', async () => {
    const f = await serverFixture();
    const id = await handMade(f.name, { 'com.example.owner': 'someone' }, true);
    const result = await runStigmer(f, ['server', 'start', '--restart', '--json']);
    expect(result.exitCode).toBe(15);
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'SERVER_NAME_TAKEN',
      exitCode: 15,
      details: { container: f.name, id, state: 'running', ourDataDir: f.dataDir },
    });
    const after = await inspect(f.name);
    expect(after?.Id).toBe(id);
    expect(after?.State.Running).toBe(true);
  });

  it('server stop leaves it running, warns with its name and the remedy, and exits 0', async () => {
    const f = await serverFixture();
    const id = await handMade(f.name, {}, true);
    const result = await runStigmer(f, ['server', 'stop']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('The agent-runner is not running (no container); nothing to stop.\n');
    expect(result.stderr).toContain(
      `warning: A container named ${f.name} already exists and stigmer did not start it`,
    );
    expect(result.stderr).toContain(`\`docker rm -f ${f.name}\``);
    const after = await inspect(f.name);
    expect(after?.Id).toBe(id);
    expect(after?.State.Running).toBe(true);
    const json = JSON.parse((await runStigmer(f, ['server', 'stop', '--json'])).stdout);
    expect(json).toMatchObject({ ok: true, containers: [], leftAlone: [{ id, name: f.name }] });
    expect((await inspect(f.name))?.State.Running).toBe(true);
  });

  it('server status says stigmer did not start it', async () => {
    const f = await serverFixture();
    await handMade(f.name, {}, true);
    const result = await runStigmer(f, ['server', 'status', '--json']);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ running: true, managed: false, foundBy: 'name' });
  });
});

describe('a container of the same name that stigmer started for another data folder', () => {
  it('a half-made one (created, not started) is refused, not removed, by a start with another data folder', async () => {
    const other = await serverFixture();
    const f = await serverFixture({ server: { containerName: other.name } });
    const id = await handMade(other.name, stigmerLabels(other.dataDir), false);
    const result = await runStigmer(f, ['server', 'start']);
    expect(result.exitCode).toBe(15);
    expect(result.stderr.split('\n')[0]).toBe(
      `A container named ${other.name} already exists and stigmer started it for another data folder (${other.dataDir}); stigmer left it alone.`,
    );
    expect(result.stderr).toContain(`\`STIGMER_DATA_DIR=${other.dataDir} stigmer server stop\``);
    expect((await inspect(other.name))?.Id).toBe(id);
    expect((await inspect(other.name))?.State.Status).toBe('created');
    expect(await labelled(f.dataDir)).toEqual([]);
  });

  it('server stop from the other data folder leaves the running one alone; its own stop removes it', async () => {
    const owner = await serverFixture();
    expect((await runStigmer(owner, ['server', 'start'])).exitCode).toBe(0);
    const ownerId = (await inspect(owner.name))?.Id;
    const f = await serverFixture({ server: { containerName: owner.name } });
    const stopped = await runStigmer(f, ['server', 'stop']);
    expect(stopped.exitCode).toBe(0);
    expect(stopped.stderr).toContain(`stigmer started it for another data folder (${owner.dataDir})`);
    expect((await inspect(owner.name))?.Id).toBe(ownerId);
    expect((await inspect(owner.name))?.State.Running).toBe(true);
    const restarted = await runStigmer(f, ['server', 'start', '--restart']);
    expect(restarted.exitCode).toBe(15);
    expect((await inspect(owner.name))?.Id).toBe(ownerId);
    expect((await runStigmer(owner, ['server', 'stop'])).exitCode).toBe(0);
    expect(await inspect(owner.name)).toBeUndefined();
  });
});

describe('a container that takes the name between the lookup and the create', () => {
  it('the engine refuses the create (409); stigmer names the holder and leaves it', async () => {
    // beforeStart runs after the lookup and before the create: the plugin plays
    // someone's `docker run` landing in that window.
    const intruder = `export default { name: 'intruder', version: '0.0.1', apiVersion: '1.0', apply(hooks) {
      hooks.beforeStart.tap(async (request, ctx) => {
        const id = await ctx.engine.createContainer({ name: request.containerName, image: request.image.reference, env: {}, labels: {}, mounts: [] });
        ctx.note('created ' + id);
      });
    } };`;
    const f = await serverFixture({ files: { 'intruder.mjs': intruder }, extraPlugins: ['./intruder.mjs'] });
    const result = await runStigmer(f, ['server', 'start']);
    expect(result.exitCode).toBe(15);
    const holder = await inspect(f.name);
    expect(holder).toBeDefined();
    foreign.push(holder?.Id ?? '');
    expect(result.stderr.split('\n')[0]).toBe(
      `A container named ${f.name} already exists and stigmer did not start it (it has no org.stigmer labels for this data folder); stigmer left it alone.`,
    );
    expect(holder?.State.Status).toBe('created');
    expect(await labelled(f.dataDir)).toEqual([]);
  });
});

describe('two starts with different data folders at the same moment', () => {
  /** The server image with a HEALTHCHECK that passes once /tmp/healthy exists: the first start waits on it. */
  const HEALTH_IMAGE = `stigmer-it/ownership-health:${process.pid}`;
  beforeAll(() =>
    commitHealthImages([
      [HEALTH_IMAGE, { Test: ['CMD-SHELL', 'test -e /tmp/healthy'], Interval: 2e8, Retries: 1000 }],
    ]),
  );
  afterAll(() => removeImages(harnessDocker(), [HEALTH_IMAGE]));

  it("the second, even with --restart, refuses the first one's half-started container instead of removing it", async () => {
    const first = await serverFixture({ localImage: false });
    const [repo, tag] = first.localTag.split(':') as [string, string];
    await harnessDocker().getImage(HEALTH_IMAGE).tag({ repo, tag });
    const second = await serverFixture({ server: { containerName: first.name } });
    const a = spawnStigmer(first, ['server', 'start']);
    let stderr = '';
    a.child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
    });
    // The first start has created and started its container and waits for its health check.
    await until(
      () => stderr.includes('to pass its health check'),
      30_000,
      'the first start to wait for health',
    );
    const firstId = (await inspect(first.name))?.Id;
    const b = await runStigmer(second, ['server', 'start', '--restart']);
    expect(b.exitCode).toBe(15);
    expect(b.stderr).toContain(`stigmer started it for another data folder (${first.dataDir})`);
    expect((await inspect(first.name))?.Id).toBe(firstId);
    // Now let the first one become healthy: it completes, with its own container.
    await harnessDocker()
      .getContainer(first.name)
      .exec({ Cmd: ['touch', '/tmp/healthy'] })
      .then((exec) => exec.start({}))
      .then((stream) => new Promise((resolve) => stream.on('end', resolve).resume()));
    const done = await a.done;
    expect(done.exitCode).toBe(0);
    expect((await inspect(first.name))?.Id).toBe(firstId);
    expect((await labelled(first.dataDir)).map((c) => c.Id)).toEqual([firstId]);
    expect(await labelled(second.dataDir)).toEqual([]);
    expect(await stateFile(second)).toBeUndefined();
  });
});
