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
  serverFixture,
  spawnStigmer,
  until,
} from './helpers.js';

afterEach(cleanupFixtures);

/** The test image plus a HEALTHCHECK that passes once /tmp/healthy exists (and says so when it does not). */
const HEALTH_IMAGE = `stigmer-it/health-runner:${process.pid}`;
/** The same check with a 5-minute start period: failures do not count, it stays "starting". */
const SLOW_HEALTH_IMAGE = `stigmer-it/health-runner:${process.pid}-slow`;

const check = {
  Test: ['CMD-SHELL', 'test -e /tmp/healthy || { echo "/tmp/healthy is missing"; exit 1; }'],
  Interval: 1e9,
  Timeout: 1e9,
  Retries: 2,
};

/**
 * Made by committing a container of the test image with a health check in
 * its config: unlike a Dockerfile `FROM`, a commit can never make the engine
 * pull anything, even if the base image vanished meanwhile.
 */
beforeAll(() =>
  commitHealthImages([
    [HEALTH_IMAGE, check],
    [SLOW_HEALTH_IMAGE, { ...check, StartPeriod: 300e9 }],
  ]),
);

afterAll(async () => {
  await removeImages(harnessDocker(), [HEALTH_IMAGE, SLOW_HEALTH_IMAGE]);
  await removeServerImage();
});

/** A fixture whose local tag is a health-checked image. */
async function healthFixture(command: string, server: Record<string, unknown> = {}, image = HEALTH_IMAGE) {
  const f = await serverFixture({
    localImage: false,
    agentRunner: { command: ['sh', '-c', command] },
    server,
  });
  const [repo, t] = f.localTag.split(':') as [string, string];
  await harnessDocker().getImage(image).tag({ repo, tag: t });
  return f;
}

describe('stigmer server start with a HEALTHCHECK in the image', () => {
  it('waits until the container is healthy, and says so', async () => {
    const f = await healthFixture('sleep 1; touch /tmp/healthy; while :; do sleep 1; done');
    const result = await runStigmer(f, ['server', 'start']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`Waiting for ${f.name} to pass its health check...`);
    expect(result.stdout).toContain('running, healthy.');
    expect((await inspect(f.name))?.State.Health?.Status).toBe('healthy');
    const status = JSON.parse((await runStigmer(f, ['server', 'status', '--json'])).stdout);
    expect(status).toMatchObject({ state: 'running', health: 'healthy' });
  });

  it('fails with exit 12 when it turns unhealthy, quoting its output and the last health check, and keeps it stopped', async () => {
    const f = await healthFixture('echo "booting with key $ANTHROPIC_API_KEY"; while :; do sleep 1; done');
    const result = await runStigmer(f, ['server', 'start', '--json']);
    expect(result.exitCode).toBe(12);
    const { error } = JSON.parse(result.stdout);
    expect(error.message).toContain(
      `The agent-runner container ${f.name} did not start: its health check reports it unhealthy.`,
    );
    expect(error.message).toContain('  | booting with key ***');
    expect(error.message).toContain('The last health check said: /tmp/healthy is missing');
    expect(error.details).toMatchObject({
      kept: true,
      output: ['booting with key ***'],
      health: 'unhealthy',
      healthOutput: '/tmp/healthy is missing',
    });
    expect(result.stdout + result.stderr).not.toContain(f.canary);
    expect((await inspect(f.name))?.State.Running).toBe(false);
  });

  it('fails with exit 12 naming server.readyTimeout when health takes longer than allowed', async () => {
    const f = await healthFixture('sleep 30; touch /tmp/healthy', { readyTimeout: '1500ms' });
    const result = await runStigmer(f, ['server', 'start']);
    expect(result.exitCode).toBe(12);
    // Before the first probe the engine says "starting"; with retries it may already have failed once.
    expect(result.stderr).toMatch(/not ready within 1\.5s|unhealthy/);
    expect(result.stderr).toContain('It printed nothing.');
    expect((await inspect(f.name))?.State.Running).toBe(false);
  });

  it('on SIGINT while waiting for health: removes the half-started container and the lock, exits 130', async () => {
    const f = await healthFixture('while :; do sleep 1; done', {}, SLOW_HEALTH_IMAGE);
    const run = spawnStigmer(f, ['server', 'start']);
    let stderr = '';
    run.child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
    });
    await until(() => stderr.includes('to pass its health check'), 20_000, 'the health wait');
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.exitCode).toBe(130);
    expect(await inspect(f.name)).toBeUndefined();
    await expect(readFile(path.join(f.dataDir, 'server.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(path.join(f.dataDir, 'agent-runner.json'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it("fails with exit 12 and the engine's words when the container cannot start at all", async () => {
    // No init: the engine itself must exec the command, and refuses the start.
    const f = await serverFixture({ agentRunner: { command: ['/no/such/program'], init: false } });
    const result = await runStigmer(f, ['server', 'start']);
    expect(result.exitCode).toBe(12);
    expect(result.stderr).toContain(`The agent-runner container ${f.name} did not start.`);
    expect(result.stderr).toMatch(/no such file or directory|not found/);
    // Kept (never started), so `docker inspect` still shows the engine's error; the next start replaces it.
    expect((await inspect(f.name))?.State.Error).toMatch(/no such file or directory/);
    const stopped = await runStigmer(f, ['server', 'stop']);
    expect(stopped.exitCode).toBe(0);
    expect(await inspect(f.name)).toBeUndefined();
  });
});
