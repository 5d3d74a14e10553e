import type { Session } from '../session.js';
import type { LockHolder } from '../state/lock.js';
import { serverPlace } from './context.js';
import { findContainer } from './find.js';
import { isOurs, LABELS } from './labels.js';
import { type ContainerView, containerView } from './view.js';

/** What `stigmer server status` reports. */
export interface ServerStatus {
  /** The container's state, or `not-found` when there is none. */
  state: ContainerView['state'] | 'not-found';
  running: boolean;
  /** `none` without a HEALTHCHECK (or without a container). */
  health: ContainerView['health'];
  container: ContainerView | undefined;
  /** Milliseconds since it started, while it runs. */
  uptimeMs: number | undefined;
  /** False when a container of that name exists but stigmer did not start it. */
  managed: boolean;
  /** How it was found: by the state file's id, by name or by labels. */
  foundBy: 'state' | 'name' | 'labels' | undefined;
  /** `stale` when the state file names a container that is gone or another one. */
  stateFile: 'ok' | 'missing' | 'stale';
  dataDir: string;
  /**
   * The data folder the container was started for (its label), when that is
   * not `dataDir`: another stigmer setup (STIGMER_DATA_DIR, server.dataDir)
   * owns it, though it carries the configured name.
   */
  otherDataDir: string | undefined;
  /** A live stigmer process holding the lifecycle lock (a start in progress), if any. */
  lock: LockHolder | undefined;
}

/**
 * `stigmer server status`: looks the container up in the engine (state file,
 * name, labels) and reports it. Read-only: it takes no lock and writes nothing,
 * so it answers while a start is under way.
 */
export async function serverStatus(session: Session, now: () => number = Date.now): Promise<ServerStatus> {
  const place = serverPlace(session);
  const [found, state, lock] = await Promise.all([
    findContainer(place),
    place.store.read(),
    place.store.holder(),
  ]);
  const view = found ? containerView(found.info) : undefined;
  const running = view?.state === 'running';
  const started = view ? Date.parse(view.startedAt) : Number.NaN;
  return {
    state: view?.state ?? 'not-found',
    running,
    health: view?.health ?? 'none',
    container: view,
    uptimeMs: running && Number.isFinite(started) ? Math.max(0, now() - started) : undefined,
    managed: found ? isOurs(found.info.labels) : false,
    foundBy: found?.foundBy,
    stateFile: !state ? 'missing' : state.containerId === found?.info.id ? 'ok' : 'stale',
    dataDir: place.dataDir,
    otherDataDir: otherDataDir(found?.info.labels, place.dataDir),
    lock,
  };
}

function otherDataDir(labels: Readonly<Record<string, string>> | undefined, dataDir: string) {
  const labelled = labels && isOurs(labels) ? labels[LABELS.dataDir] : undefined;
  return labelled !== undefined && labelled !== dataDir ? labelled : undefined;
}
