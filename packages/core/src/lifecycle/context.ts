import type { ContainerInfo } from '../engine/types.js';
import type { ResolvedImage } from '../image/types.js';
import type { Session } from '../session.js';
import type { LockHolder } from '../state/lock.js';
import { StateStore } from '../state/store.js';
import type { ContainerPlace } from './find.js';

/** What happens during a lifecycle command, for the CLI to show as it goes. */
export type LifecycleEvent =
  | { type: 'waiting-for-lock'; holder: LockHolder | undefined; lockFile: string }
  | { type: 'resolved'; image: ResolvedImage }
  | { type: 'removing'; container: ContainerInfo; reason: string }
  | { type: 'created'; id: string; name: string }
  | { type: 'waiting-for-health'; name: string }
  /** A graceful stop began: the engine sends the stop signal and kills after `timeoutMs`. */
  | { type: 'stopping'; container: ContainerInfo; timeoutMs: number }
  /** The container stopped (`killed`: the grace period ran out or the stop failed). */
  | { type: 'stopped'; container: ContainerInfo; killed: boolean }
  | { type: 'warning'; message: string };

/** What every lifecycle command needs besides the session. */
export interface LifecycleOptions {
  /** Aborted on SIGINT/SIGTERM. */
  signal?: AbortSignal | undefined;
  onEvent?: ((event: LifecycleEvent) => void) | undefined;
}

/** The session's engine, the data folder's store and the configured name, together. */
export interface ServerPlace extends ContainerPlace {
  dataDir: string;
}

/** Where this session's agent-runner lives: data folder, state store, container name. */
export function serverPlace(session: Session): ServerPlace {
  const { dataDir } = session;
  return {
    engine: session.engine,
    store: new StateStore(dataDir),
    containerName: session.settings.server.containerName,
    dataDir,
  };
}

/** Takes the lifecycle lock for `command`, telling the CLI when it has to wait. */
export function lockFor(place: ServerPlace, command: string, options: LifecycleOptions) {
  return place.store.lock({
    command,
    signal: options.signal,
    onWait: (holder) =>
      options.onEvent?.({ type: 'waiting-for-lock', holder, lockFile: place.store.lockFile }),
  });
}
