import type { ContainerSpec } from '../engine/types.js';
import type { ResolvedImage } from '../image/types.js';

/**
 * What a runtime runs the agent-runner as, named by the server name and the
 * data folder: a container (core's default runtime), a Swarm service, ...
 */
export interface RuntimeTarget {
  /** The configured name (`server.containerName`): the container's or the service's name. */
  readonly name: string;
  /** The data folder; a runtime labels what it creates with it, so that two setups never mix. */
  readonly dataDir: string;
  /** Aborted on Ctrl-C; runtimes pass it to whatever waits (rollouts, log follows). */
  readonly signal: AbortSignal | undefined;
}

/** One unit of a deployment: a Swarm task, a Kubernetes pod, the container itself. */
export interface RuntimeUnit {
  readonly id: string;
  /** `name.slot` or the like: what log lines are prefixed with. */
  readonly name: string;
  /** Where it runs (a node's name or address), when the runtime spreads over machines. */
  readonly node: string | undefined;
  /** The runtime's own word for it: `running`, `starting`, `failed`, `shutdown`... */
  readonly state: string;
  /** What the runtime wants it to be (`running`, `shutdown`). */
  readonly desiredState: string;
  /** The image it runs, by digest when known. */
  readonly image: string;
  /** Why it failed or stopped, when it did; never holds a secret. */
  readonly error: string | undefined;
  readonly updatedAt: string;
}

/** What a runtime runs for this target, as `find` and `inspect` see it. */
export interface RuntimeDeployment {
  /** The runtime's own id of it (a service id). */
  readonly id: string;
  readonly name: string;
  /** The runtime's plugin name (`swarm`). */
  readonly runtime: string;
  /** Labels it carries: core's fingerprint labels (spec hash, image id) among them. */
  readonly labels: Readonly<Record<string, string>>;
  /** The image reference it runs (pinned by digest for a runtime that spans machines). */
  readonly image: string;
  /** Units wanted (replicas). */
  readonly desired: number;
  /** Units that run now. */
  readonly running: number;
  /** The last rollout's state (`updating`, `completed`, `rollback_completed`...) and message, when there was one. */
  readonly update: { readonly state: string; readonly message: string } | undefined;
  /** When `inspect` was asked: every unit, current and recent. */
  readonly units: readonly RuntimeUnit[];
  readonly createdAt: string;
}

/** Given to `runtimeCreate` and `runtimeUpdate`: what to run. */
export interface RuntimeDeployRequest {
  readonly target: RuntimeTarget;
  /**
   * The spec the `containerSpec` waterfall built, with core's labels; values
   * of `secretEnv` keys are included: deliver them as secrets, never print them.
   */
  readonly spec: ContainerSpec;
  readonly image: ResolvedImage;
  /** Seconds a unit gets to stop gracefully (`server.stopTimeout`). */
  readonly stopTimeoutSeconds: number;
  /** How long the rollout may take before it counts as failed (`server.readyTimeout`). */
  readonly readyTimeoutMs: number;
}

/** Given to `runtimeUpdate`: the deployment to change, and whether to roll it although nothing changed. */
export interface RuntimeUpdateRequest extends RuntimeDeployRequest {
  readonly current: RuntimeDeployment;
  /** `server restart`: roll every unit even when the spec is the same. */
  readonly force: boolean;
}

/** What a create or an update did. */
export interface RuntimeRollout {
  readonly runtime: string;
  /** `rolled-back`: the new spec failed and the runtime went back to the previous one. */
  readonly outcome: 'created' | 'updated' | 'rolled-back';
  readonly deployment: RuntimeDeployment;
  /** Units that failed during the rollout, with the runtime's reason. */
  readonly failures: readonly RuntimeUnit[];
}

/** What `runtimeFind` and `runtimeInspect` answer: which runtime, and what it found (if anything). */
export interface RuntimeLookup {
  readonly runtime: string;
  readonly found: RuntimeDeployment | undefined;
}

/** Given to `runtimeLogs`. */
export interface RuntimeLogsRequest {
  readonly target: RuntimeTarget;
  readonly follow: boolean;
  /** Lines from the end, per unit; undefined for all. */
  readonly tail: number | undefined;
}

/** What `runtimeLogs` answers: text lines, each prefixed with its unit's name. */
export interface RuntimeLogs {
  readonly runtime: string;
  readonly deployment: RuntimeDeployment;
  /** Ends when the deployment is gone (follow) or at once; `target.signal` ends a follow. */
  readonly stream: NodeJS.ReadableStream;
  /**
   * The names of the variables the deployment receives as secrets. A runtime
   * cannot read its secrets back, so `server logs` masks the values these
   * names have in stigmer's own environment (the values `server start` used).
   */
  readonly secretEnv?: readonly string[];
}

/** Given to `runtimeStop`. */
export interface RuntimeStopRequest {
  readonly target: RuntimeTarget;
  readonly stopTimeoutSeconds: number;
}

/** What `runtimeStop` removed (empty when there was nothing). */
export interface RuntimeStopped {
  readonly runtime: string;
  /** What was removed, named for people (`service stigmer-agent-runner`, `secret ...`). */
  readonly removed: readonly string[];
}
