import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '../duration.js';
import { interruption } from '../engine/pull.js';
import type { ContainerInfo, Engine } from '../engine/types.js';
import { ServerError } from '../errors.js';

/** How `waitReady` polls. */
export interface WaitOptions {
  /** The container's name, for messages. */
  name: string;
  /** Give up after this long (`server.readyTimeout`). */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Told once when the wait is for a health check (which takes a while). */
  onHealthWait?: (() => void) | undefined;
  /** First poll interval; it grows to 1 s. Default 50 ms. */
  pollMs?: number;
}

/**
 * Waits until the container runs and, when it has a HEALTHCHECK, until the
 * engine calls it healthy. Fails with `SERVER_START_FAILED` as soon as the
 * container exits, restarts (a crash under a restart policy), turns
 * unhealthy or the timeout passes; the message says which, with the engine's
 * last health output. Returns the container as last inspected.
 */
export async function waitReady(engine: Engine, id: string, options: WaitOptions): Promise<ContainerInfo> {
  const deadline = Date.now() + options.timeoutMs;
  let interval = options.pollMs ?? 50;
  let told = false;
  let firstRestarts: number | undefined;
  for (;;) {
    if (options.signal?.aborted) throw interruption(options.signal);
    const info = await engine.inspectContainer(id);
    if (!info) throw failed(options.name, 'it was removed while stigmer waited for it to start');
    firstRestarts ??= info.restartCount;
    const problem = notReady(info, firstRestarts);
    if (problem === undefined) return info;
    if (problem.fatal) throw failed(info.name, problem.reason, info);
    if (info.state === 'running' && info.hasHealthcheck && !told) {
      told = true;
      options.onHealthWait?.();
    }
    if (Date.now() >= deadline) {
      throw failed(
        info.name,
        `it was not ready within ${formatDuration(options.timeoutMs)} (${problem.reason}). If it needs longer, raise "server.readyTimeout" in your stigmer config (or set STIGMER_READY_TIMEOUT).`,
        info,
      );
    }
    try {
      await sleep(Math.min(interval, Math.max(1, deadline - Date.now())), undefined, {
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch {
      throw interruption(options.signal as AbortSignal);
    }
    interval = Math.min(1000, interval * 2);
  }
}

/** Why the container is not ready yet (`fatal` when waiting cannot help), or `undefined` when it is. */
function notReady(
  info: ContainerInfo,
  firstRestarts: number,
): { reason: string; fatal: boolean } | undefined {
  if (info.state === 'exited' || info.state === 'dead') {
    const why = info.error ? `: ${info.error}` : '';
    return { reason: `it exited with code ${info.exitCode}${why}`, fatal: true };
  }
  if (info.state === 'restarting' || info.restartCount > firstRestarts) {
    return {
      reason: `it keeps exiting and the engine restarts it (last exit code ${info.exitCode})`,
      fatal: true,
    };
  }
  if (info.state !== 'running') return { reason: `it is ${info.state}`, fatal: false };
  if (!info.hasHealthcheck || info.health === 'healthy') return undefined;
  if (info.health === 'unhealthy') {
    const output = info.healthOutput ? ` The last health check said: ${info.healthOutput}` : '';
    return { reason: `its health check reports it unhealthy.${output}`, fatal: true };
  }
  return { reason: 'its health check has not passed yet', fatal: false };
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
            }
          : {}),
      },
    },
  );
}
