import type { ContainerInfo, Engine } from '../engine/types.js';
import { InterruptedError, interruption, isStigmerError } from '../errors.js';
import type { Session } from '../session.js';
import { type LifecycleOptions, lockFor, serverPlace } from './context.js';
import { findAllContainers } from './find.js';
import { nameTaken, ownedHere } from './ownership.js';
import type { StopRequest } from './types.js';

/** One container `stop` dealt with. */
export interface StoppedContainer {
  id: string;
  name: string;
  /** It was running (or restarting or paused) before. */
  wasRunning: boolean;
  /** The graceful stop failed and the container was killed. */
  killed: boolean;
}

/** What `stopServer` did. */
export interface StopOutcome {
  dataDir: string;
  /** Empty when nothing was there: stopping a stopped server succeeds. */
  containers: StoppedContainer[];
  /**
   * The signal (`SIGINT`, `SIGTERM`) that arrived after the containers were
   * stopped and removed, while the `afterStop` hooks ran; they did not finish.
   * The stop itself is done.
   */
  interruptedAfterStop?: string | undefined;
  /**
   * Containers found under the configured name that stigmer does not own
   * here (no labels, or another data folder's): never stopped nor removed.
   */
  leftAlone?: { id: string; name: string; reason: string }[];
}

const LIVE_STATES = new Set(['running', 'restarting', 'paused']);

/**
 * Stops and removes one container: a graceful stop (the engine sends SIGTERM
 * and kills after `timeoutMs`), a kill if the stop itself fails, then removal.
 */
export async function removeGracefully(
  engine: Engine,
  info: ContainerInfo,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<StoppedContainer> {
  const wasRunning = LIVE_STATES.has(info.state);
  let killed = false;
  if (wasRunning) {
    try {
      await engine.stopContainer(info.id, Math.max(0, Math.round(timeoutMs / 1000)));
    } catch (error) {
      if (error instanceof InterruptedError || signal?.aborted) throw error;
      await engine.killContainer(info.id);
      killed = true;
    }
  }
  await engine.removeContainer(info.id, { force: true });
  return { id: info.id, name: info.name, wasRunning, killed };
}

/**
 * `stigmer server stop`: under the lock, runs `beforeStop`, stops and removes
 * every agent-runner container of this data folder (found by state, name and
 * labels), forgets the state, then runs `afterStop`. Nothing running is not an
 * error: the hooks still run, so plugins can stop what they started. A
 * container holding the name that stigmer does not own here is left alone,
 * with a warning that names it and says how to remove it.
 */
export async function stopServer(session: Session, options: LifecycleOptions): Promise<StopOutcome> {
  const place = serverPlace(session);
  const lock = await lockFor(place, 'server stop', options);
  try {
    const found = await findAllContainers(place);
    const leftAlone = found
      .filter((c) => !ownedHere(c, place.dataDir))
      .map((c) => ({ id: c.id, name: c.name, reason: nameTaken(c, place.dataDir).message }));
    for (const c of leftAlone) options.onEvent?.({ type: 'warning', message: c.reason });
    const ours = found.filter((c) => ownedHere(c, place.dataDir));
    const outcome = await stopUnderLock(session, place.dataDir, options, ours);
    return leftAlone.length > 0 ? { ...outcome, leftAlone } : outcome;
  } finally {
    await lock.release();
  }
}

/** The stop sequence, for a caller that holds the lock (stop, and start with `--restart`). */
export async function stopUnderLock(
  session: Session,
  dataDir: string,
  options: LifecycleOptions,
  containers: readonly ContainerInfo[],
): Promise<StopOutcome> {
  const { pipeline, engine, settings } = session;
  const store = serverPlace(session).store;
  const first = containers[0];
  const request: StopRequest = {
    containerName: first?.name ?? settings.server.containerName,
    containerId: first?.id,
    dataDir,
    timeoutSeconds: Math.max(0, Math.round(settings.server.stopTimeout / 1000)),
  };
  await pipeline.call('beforeStop', request);
  const stopped: StoppedContainer[] = [];
  for (const info of containers) {
    if (options.signal?.aborted) throw interruption(options.signal);
    options.onEvent?.({ type: 'stopping', container: info, timeoutMs: settings.server.stopTimeout });
    const done = await removeGracefully(engine, info, settings.server.stopTimeout, options.signal);
    options.onEvent?.({ type: 'stopped', container: info, killed: done.killed });
    stopped.push(done);
  }
  await store.clear();
  try {
    await pipeline.call('afterStop', {
      ...request,
      stopped: stopped.some((c) => c.wasRunning),
      removed: stopped.length > 0,
    });
  } catch (error) {
    // The stop is done: an interrupt now cuts the hooks short, it does not undo what was done.
    if (!isStigmerError(error) || error.code !== 'INTERRUPTED') throw error;
    return { dataDir, containers: stopped, interruptedAfterStop: String(error.details.signal ?? 'SIGINT') };
  }
  return { dataDir, containers: stopped };
}
