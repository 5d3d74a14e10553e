import { describe, expect, it } from 'vitest';
import type { ContainerInfo, Engine } from '../engine/types.js';
import { waitReady } from './wait.js';

const base: ContainerInfo = {
  id: 'c1',
  name: 'runner',
  image: 'i',
  imageId: 'sha256:i',
  state: 'running',
  health: undefined,
  startedAt: '',
  restartCount: 0,
  labels: {},
  env: [],
  exitCode: 0,
  finishedAt: '',
  error: '',
  user: '',
  restartPolicy: 'unless-stopped',
  networkMode: 'host',
  mounts: [],
  hasHealthcheck: false,
  healthOutput: undefined,
};

/** An engine whose container goes through `states`, one per inspect (the last repeats). */
function engineThrough(states: Partial<ContainerInfo>[]): Engine & { inspections: () => number } {
  let i = 0;
  return {
    inspectContainer: async () => ({ ...base, ...states[Math.min(i++, states.length - 1)] }),
    inspections: () => i,
  } as unknown as Engine & { inspections: () => number };
}

describe('waiting for the container to be ready', () => {
  it('returns at once for a running container without a health check', async () => {
    const info = await waitReady(engineThrough([{}]), 'c1', { name: 'runner', timeoutMs: 1000 });
    expect(info.state).toBe('running');
  });

  it('waits through "starting" until healthy, telling once that it waits for the health check', async () => {
    let told = 0;
    const engine = engineThrough([
      { hasHealthcheck: true, health: 'starting' },
      { hasHealthcheck: true, health: 'starting' },
      { hasHealthcheck: true, health: 'healthy' },
    ]);
    const info = await waitReady(engine, 'c1', {
      name: 'runner',
      timeoutMs: 5000,
      pollMs: 1,
      onHealthWait: () => told++,
    });
    expect(info.health).toBe('healthy');
    expect(told).toBe(1);
  });

  it('fails with SERVER_START_FAILED on unhealthy, quoting the last probe', async () => {
    const engine = engineThrough([
      { hasHealthcheck: true, health: 'unhealthy', healthOutput: 'connection refused' },
    ]);
    await expect(waitReady(engine, 'c1', { name: 'runner', timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'SERVER_START_FAILED',
      message: expect.stringContaining('The last health check said: connection refused'),
    });
  });

  it('fails on an exit, and on a restart under the restart policy', async () => {
    await expect(
      waitReady(engineThrough([{ state: 'exited', exitCode: 3 }]), 'c1', { name: 'runner', timeoutMs: 1000 }),
    ).rejects.toThrow('runner did not start: it exited with code 3');
    await expect(
      waitReady(
        engineThrough([
          { state: 'created' },
          { state: 'running', restartCount: 1, hasHealthcheck: true, health: 'starting' },
        ]),
        'c1',
        {
          name: 'runner',
          timeoutMs: 1000,
          pollMs: 1,
        },
      ),
    ).rejects.toThrow('keeps exiting');
  });

  it('gives up after the timeout, naming the setting to raise', async () => {
    const engine = engineThrough([{ hasHealthcheck: true, health: 'starting' }]);
    await expect(waitReady(engine, 'c1', { name: 'runner', timeoutMs: 30, pollMs: 5 })).rejects.toThrow(
      /not ready within 30ms .*server\.readyTimeout/,
    );
  });

  it('stops with InterruptedError when the signal aborts', async () => {
    const controller = new AbortController();
    const engine = engineThrough([{ hasHealthcheck: true, health: 'starting' }]);
    const waiting = waitReady(engine, 'c1', {
      name: 'runner',
      timeoutMs: 10_000,
      pollMs: 5,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(waiting).rejects.toMatchObject({ code: 'INTERRUPTED' });
  });
});

describe('readiness without a HEALTHCHECK: a settle time, and no restart', () => {
  const run1 = { state: 'running' as const, startedAt: '2026-01-01T00:00:00.1Z' };
  const run2 = { state: 'running' as const, startedAt: '2026-01-01T00:00:00.9Z' };

  it('does not take the first "running" for started: it waits out the settle time, the same run throughout', async () => {
    const engine = engineThrough([run1]);
    const info = await waitReady(engine, 'c1', { name: 'runner', timeoutMs: 5000, settleMs: 40, pollMs: 1 });
    expect(info.state).toBe('running');
    expect(engine.inspections()).toBeGreaterThan(1);
  });

  it('fails when it exits within the settle time', async () => {
    const engine = engineThrough([run1, run1, { state: 'exited', exitCode: 2 }]);
    await expect(
      waitReady(engine, 'c1', { name: 'runner', timeoutMs: 5000, settleMs: 10_000, pollMs: 1 }),
    ).rejects.toThrow('runner did not start: it exited with code 2');
  });

  it('fails when it was restarted between two looks, though never seen stopped', async () => {
    const engine = engineThrough([run1, run2]);
    await expect(
      waitReady(engine, 'c1', { name: 'runner', timeoutMs: 5000, settleMs: 10_000, pollMs: 1 }),
    ).rejects.toThrow('keeps exiting and the engine restarts it');
  });

  it('fails when the first look already finds it restarted (it crashed before stigmer looked)', async () => {
    const engine = engineThrough([{ ...run2, state: 'restarting', restartCount: 1, exitCode: 1 }]);
    await expect(
      waitReady(engine, 'c1', { name: 'runner', timeoutMs: 5000, settleMs: 10_000, pollMs: 1 }),
    ).rejects.toMatchObject({
      code: 'SERVER_START_FAILED',
      message: expect.stringContaining('last exit code 1, 1 restart)'),
      details: { restartCount: 1, state: 'restarting' },
    });
  });

  it('gives no exit code for a container running again after a restart (the engine says 0 then)', async () => {
    const engine = engineThrough([{ ...run2, restartCount: 2, exitCode: 0 }]);
    await expect(
      waitReady(engine, 'c1', { name: 'runner', timeoutMs: 5000, settleMs: 10_000, pollMs: 1 }),
    ).rejects.toThrow('keeps exiting and the engine restarts it (2 restarts)');
  });

  it('says how long it ran of the settle time when the ready timeout comes first', async () => {
    const engine = engineThrough([run1]);
    await expect(
      waitReady(engine, 'c1', { name: 'runner', timeoutMs: 30, settleMs: 60_000, pollMs: 1 }),
    ).rejects.toThrow(/not ready within 30ms \(it had run for \d+ms of the 60s it must run undisturbed/);
  });

  it('takes the first "running" with a settle time of 0', async () => {
    const engine = engineThrough([run1]);
    await waitReady(engine, 'c1', { name: 'runner', timeoutMs: 1000, settleMs: 0 });
    expect(engine.inspections()).toBe(1);
  });
});
