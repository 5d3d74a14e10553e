import type { ContainerSpec } from '../engine/types.js';
import type { ResolvedImage } from '../image/types.js';

/** Given to `beforeStart`: what is about to be started. */
export interface StartRequest {
  readonly image: ResolvedImage;
  readonly containerName: string;
  /** The data folder (`~/.stigmer/data` or `STIGMER_DATA_DIR`); mount sources usually live here. */
  readonly dataDir: string;
  /**
   * The container stigmer already has under this name, if any. When it runs
   * with the same image and spec it is kept, so a check such as "is the port
   * free?" should allow for it.
   */
  readonly existing: { readonly id: string; readonly state: string } | undefined;
}

/** Given to `afterStart`: the container that now runs. */
export interface StartedContainer {
  readonly id: string;
  /** The spec it runs with; values of `secretEnv` keys are included (never print them). */
  readonly spec: ContainerSpec;
  readonly image: ResolvedImage;
  readonly dataDir: string;
  /** True when it was already running with the same image and spec and was left alone. */
  readonly alreadyRunning: boolean;
}

/** Given to `beforeStop` and `afterStop`. */
export interface StopRequest {
  readonly containerName: string;
  readonly containerId: string | undefined;
  readonly dataDir: string;
  /** Seconds the engine waits for a graceful stop before killing. */
  readonly timeoutSeconds: number;
}

/** Given to `afterStop`: what stopping did. */
export interface StopResult extends StopRequest {
  readonly stopped: boolean;
  readonly removed: boolean;
}
