import { setTimeout as sleep } from 'node:timers/promises';
import { type RuntimeUnit, ServerError, type SwarmEngine, type SwarmTask } from '@stigmer/core';
import { FAILED_STATES, nodeName, runningTasks, unitOf } from './deployment.js';
import { lastLines } from './logs.js';

/** How often a rollout is looked at: tight, since every look is one or two quick engine calls. */
const POLL_MS = 100;

/** What waiting for a rollout needs. */
export interface RolloutWatch {
  swarm: SwarmEngine;
  serviceId: string;
  name: string;
  /** The image the new spec runs (by digest). */
  image: string;
  replicas: number;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Failed tasks of the new spec, by id, as seen over the whole wait (Swarm prunes old tasks). */
class Failures {
  readonly #units = new Map<string, RuntimeUnit>();
  constructor(readonly watch: RolloutWatch) {}
  async record(tasks: readonly SwarmTask[]): Promise<void> {
    // A failed task is soon shut down by the rollback; its error stays.
    const failed = tasks.filter(
      (t) => t.image === this.watch.image && (FAILED_STATES.has(t.state) || t.error !== ''),
    );
    if (failed.every((t) => this.#units.has(t.id))) return;
    const nodes = await this.watch.swarm.nodes();
    for (const task of failed) this.#units.set(task.id, unitOf(this.watch.name, task, nodes));
  }
  get units(): RuntimeUnit[] {
    return [...this.#units.values()];
  }
}

/**
 * Waits until `replicas` tasks of the new image run. Swarm restarts a task
 * that fails, forever: when they do not all run within the time, the start
 * fails naming the tasks that failed and why; the service is kept, so that
 * `server logs` shows their output (`server stop` removes it).
 */
export async function waitForReplicas(watch: RolloutWatch): Promise<RuntimeUnit[]> {
  const failures = new Failures(watch);
  const deadline = Date.now() + watch.timeoutMs;
  for (;;) {
    const tasks = await watch.swarm.tasks(watch.serviceId);
    await failures.record(tasks);
    const running = runningTasks(tasks, watch.image).length;
    if (running >= watch.replicas) return failures.units;
    // Every replica failed twice and none runs: Swarm would go on restarting them until the time runs out.
    const hopeless = running === 0 && failures.units.length >= Math.max(2, watch.replicas * 2);
    if (hopeless || Date.now() >= deadline) throw await notConverged(watch, tasks, failures.units, hopeless);
    await sleep(POLL_MS, undefined, { signal: watch.signal });
  }
}

/**
 * Waits for the rolling update Swarm began after `previousStart` (its
 * UpdateStatus's start time before the update): `completed` (then until every
 * replica of the new image runs), or `rollback_completed` when a new task
 * failed within the monitor period and Swarm went back. A paused update (or
 * rollback) fails with the engine's message.
 */
export async function waitForUpdate(
  watch: RolloutWatch,
  previousStart: string | undefined,
): Promise<{ outcome: 'updated' | 'rolled-back'; failures: RuntimeUnit[] }> {
  const failures = new Failures(watch);
  const deadline = Date.now() + watch.timeoutMs;
  for (;;) {
    const [service, tasks] = await Promise.all([
      watch.swarm.inspectService(watch.serviceId),
      watch.swarm.tasks(watch.serviceId),
    ]);
    await failures.record(tasks);
    const status = service?.updateStatus;
    const ours = status !== undefined && status.startedAt !== (previousStart ?? '');
    if (ours && status.state === 'rollback_completed')
      return { outcome: 'rolled-back', failures: failures.units };
    if (ours && (status.state === 'paused' || status.state === 'rollback_paused')) {
      throw new ServerError(
        'SERVER_START_FAILED',
        `The update of ${watch.name} is ${status.state.replace('_', ' ')}: ${status.message}. Swarm stopped it half-way; \`stigmer server status\` shows the tasks, \`stigmer server start\` tries again.`,
        { details: { service: watch.name, updateState: status.state } },
      );
    }
    const done = ours && status.state === 'completed';
    if (done && runningTasks(tasks, watch.image).length >= watch.replicas)
      return { outcome: 'updated', failures: failures.units };
    if (Date.now() >= deadline) throw await notConverged(watch, tasks, failures.units, false);
    await sleep(POLL_MS, undefined, { signal: watch.signal });
  }
}

async function notConverged(
  watch: RolloutWatch,
  tasks: readonly SwarmTask[],
  failed: readonly RuntimeUnit[],
  hopeless: boolean,
): Promise<ServerError> {
  const nodes = await watch.swarm.nodes();
  const output = await lastLines(watch.swarm, { id: watch.serviceId, name: watch.name }, nodes);
  const running = runningTasks(tasks, watch.image).length;
  const lines = failed
    .slice(-6)
    .map((u) => `  - ${u.name}${u.node ? ` on ${u.node}` : ''}: ${u.state}${u.error ? `: ${u.error}` : ''}`);
  const pending = tasks
    .filter((t) => t.desiredState === 'running' && t.state !== 'running' && t.image === watch.image)
    .map(
      (t) =>
        `  - ${watch.name}.${t.slot}${nodeName(t.nodeId, nodes) ? ` on ${nodeName(t.nodeId, nodes)}` : ''}: ${t.state}${t.message ? ` (${t.message})` : ''}`,
    );
  return new ServerError(
    'SERVER_START_FAILED',
    [
      hopeless
        ? `The service ${watch.name} cannot run ${watch.image}: every replica failed (${failed.length} tasks) and none runs.`
        : `The service ${watch.name} did not reach ${watch.replicas} running replicas of ${watch.image} within ${Math.round(watch.timeoutMs / 1000)}s (server.readyTimeout): ${running} run.`,
      ...(lines.length > 0 ? ['Tasks that failed:', ...lines] : []),
      ...(failed.some((u) => u.error?.includes('"/bin/sh"'))
        ? [
            'The image has no /bin/sh: the wrapper that turns the Swarm secrets (API keys) into environment variables needs it.',
          ]
        : []),
      ...(pending.length > 0 ? ['Tasks not running yet:', ...pending] : []),
      ...(output.length > 0 ? ['Its last output:', ...output.map((line) => `  ${line}`)] : []),
      'The service was kept: `stigmer server logs` shows its output, `stigmer server stop` removes it.',
    ].join('\n'),
    {
      details: {
        service: watch.name,
        running,
        replicas: watch.replicas,
        failures: failed.map((u) => ({
          task: u.name,
          node: u.node ?? null,
          state: u.state,
          error: u.error ?? null,
        })),
      },
    },
  );
}
