import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../duration.js';
import type { ContainerInfo, Engine } from '../engine/types.js';
import { interruption, ServerError } from '../errors.js';

/** How `waitReady` polls. */
export interface WaitOptions {
  /** The container's name, for messages. */
  name: string;
  /** Give up after this long (`server.readyTimeout`). */
  timeoutMs: number;
  /**
   * Without a HEALTHCHECK: how long the container must be seen running, the
   * same run throughout, before it counts as started (`server.settleTime`).
   * 0: the first "running" counts. Default 0.
   */
  settleMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Told once when the wait is for a health check (which takes a while). */
  onHealthWait?: (() => void) | undefined;
  /** First poll interval; it grows to 1 s. Default 50 ms. */
  pollMs?: number;
}

/** The first time the container was seen running: which run, and when the answer came. */
interface FirstRun {
  startedAt: string;
  answeredAt: number;
}

/** The outcome of one look: ready, worth waiting for (and how long at most), or failed for good. */
type Verdict = { ready: true } | { ready: false; reason: string; fatal: boolean; recheckInMs?: number };

/**
 * Waits until the container is ready: healthy when it has a HEALTHCHECK;
 * without one, running the same run (no exit, no restart) for `settleMs`.
 * The settle time is measured between the engine's answers, from the end of
 * the first answer that saw it running to the start of the request that saw
 * it still running: a slow engine or a loaded machine can only make the wait
 * longer, never shorter, so a container that exits within the settle time
 * fails, every time. Fails with `SERVER_START_FAILED` as soon as the
 * container exits, is restarted (a crash under a restart policy, however
 * quick), turns unhealthy or the timeout passes; the message says which, with
 * the engine's last health output. Returns the container as last inspected.
 */
export async function waitReady(engine: Engine, id: string, options: WaitOptions): Promise<ContainerInfo> {
  const deadline = Date.now() + options.timeoutMs;
  const settleMs = options.settleMs ?? 0;
  let interval = options.pollMs ?? 50;
  let told = false;
  let first: FirstRun | undefined;
  for (;;) {
    if (options.signal?.aborted) throw interruption(options.signal);
    const askedAt = Date.now();
    const info = await engine.inspectContainer(id);
    const answeredAt = Date.now();
    if (!info) throw failed(options.name, 'it was removed while stigmer waited for it to start');
    if (info.state === 'running' && first === undefined) first = { startedAt: info.startedAt, answeredAt };
    const verdict = judge(info, first, askedAt, settleMs);
    if (verdict.ready) return info;
    if (verdict.fatal) throw failed(info.name, verdict.reason, info);
    if (info.state === 'running' && info.hasHealthcheck && !told) {
      told = true;
      options.onHealthWait?.();
    }
    if (Date.now() >= deadline) {
      throw failed(
        info.name,
        `it was not ready within ${formatDuration(options.timeoutMs)} (${verdict.reason}). If it needs longer, raise "server.readyTimeout" in your stigmer config (or set STIGMER_READY_TIMEOUT).`,
        info,
      );
    }
    const wait = Math.min(interval, verdict.recheckInMs ?? interval, Math.max(1, deadline - Date.now()));
    try {
      await sleep(Math.max(1, wait), undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      throw interruption(options.signal as AbortSignal);
    }
    interval = Math.min(1000, interval * 2);
  }
}

/** Why the container is not ready yet (`fatal` when waiting cannot help), or ready. */
function judge(info: ContainerInfo, first: FirstRun | undefined, askedAt: number, settleMs: number): Verdict {
  if (info.state === 'exited' || info.state === 'dead') {
    const why = info.error ? `: ${info.error}` : '';
    return { ready: false, reason: `it exited with code ${info.exitCode}${why}`, fatal: true };
  }
  // A container stigmer just created has never been restarted: any restart is a crash.
  const restarted = info.restartCount > 0 || (first !== undefined && info.startedAt !== first.startedAt);
  if (info.state === 'restarting' || restarted) {
    // Running again after a restart, the engine reports exit code 0: the code is only said while it is down.
    const code = info.state === 'running' ? '' : `last exit code ${info.exitCode}, `;
    const restarts = `${info.restartCount} restart${info.restartCount === 1 ? '' : 's'}`;
    return {
      ready: false,
      reason: `it keeps exiting and the engine restarts it (${code}${restarts})`,
      fatal: true,
    };
  }
  if (info.state !== 'running') return { ready: false, reason: `it is ${info.state}`, fatal: false };
  if (info.hasHealthcheck) {
    if (info.health === 'healthy') return { ready: true };
    if (info.health === 'unhealthy') {
      const output = info.healthOutput ? ` The last health check said: ${info.healthOutput}` : '';
      return { ready: false, reason: `its health check reports it unhealthy.${output}`, fatal: true };
    }
    return { ready: false, reason: 'its health check has not passed yet', fatal: false };
  }
  // The look that first saw it running asked before that answer came: it has run 0 ms, not less.
  const ranMs = first ? Math.max(0, askedAt - first.answeredAt) : 0;
  if (ranMs >= settleMs) return { ready: true };
  return {
    ready: false,
    reason: `it had run for ${formatDuration(ranMs)} of the ${formatDuration(settleMs)} it must run undisturbed ("server.settleTime")`,
    fatal: false,
    recheckInMs: settleMs - ranMs,
  };
}

function failed(name: string, reason: string, info?: ContainerInfo): ServerError {
  return new ServerError(
    'SERVER_START_FAILED',
    `The agent-runner container ${name} did not start: ${reason}`,
    {
      details: {
        container: name,
        ...(info
          ? {
              state: info.state,
              health: info.health ?? null,
              exitCode: info.exitCode,
              restartCount: info.restartCount,
              ...(info.healthOutput ? { healthOutput: info.healthOutput } : {}),
            }
          : {}),
      },
    },
  );
}
