import type { RegistryAuth } from './types.js';

/**
 * A Swarm service's spec as the Engine API takes it (`ServiceSpec`: Name,
 * Labels, TaskTemplate, Mode, UpdateConfig, RollbackConfig...). Passed
 * through as given: a runtime plugin builds it, core only carries it.
 */
export type SwarmServiceSpec = Readonly<Record<string, unknown>>;

/** A service, trimmed to what a runtime needs. */
export interface SwarmService {
  id: string;
  /** The object version an update must name (optimistic concurrency). */
  version: number;
  name: string;
  labels: Record<string, string>;
  /** The spec as the engine holds it now. */
  spec: SwarmServiceSpec;
  /** The spec before the last update, when there was one (a rollback goes back to it). */
  previousSpec: SwarmServiceSpec | undefined;
  /** The last update's progress: `updating`, `paused`, `completed`, `rollback_started`, `rollback_paused`, `rollback_completed`. */
  updateStatus: { state: string; message: string; startedAt: string; completedAt: string } | undefined;
  createdAt: string;
  updatedAt: string;
}

/** One task of a service: one replica's run on one node. */
export interface SwarmTask {
  id: string;
  serviceId: string;
  /** The replica's slot (1..replicas). */
  slot: number;
  nodeId: string;
  /** `new`, `pending`, `assigned`, `accepted`, `preparing`, `starting`, `running`, `complete`, `shutdown`, `failed`, `rejected`, `orphaned`... */
  state: string;
  desiredState: string;
  message: string;
  /** Why it failed, as the engine says it; empty otherwise. */
  error: string;
  /** The image reference of its spec (pinned by digest when the service is). */
  image: string;
  containerId: string | undefined;
  createdAt: string;
  updatedAt: string;
}

/** A node of the swarm. */
export interface SwarmNode {
  id: string;
  hostname: string;
  /** The address it advertises (`127.0.0.2`). */
  address: string;
  /** `ready`, `down`, `unknown`, `disconnected`. */
  state: string;
  /** `active`, `pause`, `drain`. */
  availability: string;
  role: 'manager' | 'worker';
}

/** A secret's metadata; its value can never be read back from the engine. */
export interface SwarmSecret {
  id: string;
  name: string;
  labels: Record<string, string>;
  createdAt: string;
}

/**
 * The Swarm part of the Engine API on the session's engine, for runtime
 * plugins: services, tasks, nodes and secrets, and pushing an image so that
 * every node can pull it. Every method throws `EngineError` as the rest of
 * the facade does; an engine that is no swarm manager fails with the
 * engine's own words ("This node is not a swarm manager...").
 */
export interface SwarmEngine {
  /** This engine's place in a swarm: `inactive`, `pending`, `active`, `error`, `locked`; and whether it manages it. */
  state(): Promise<{ state: string; nodeId: string; manager: boolean }>;
  nodes(): Promise<SwarmNode[]>;
  /** The service with this name or id, or `undefined`. */
  inspectService(nameOrId: string): Promise<SwarmService | undefined>;
  /** Creates a service; `auth` lets every node pull its image. Returns its id. */
  createService(spec: SwarmServiceSpec, options?: { auth?: RegistryAuth | undefined }): Promise<string>;
  /** Replaces the service's spec (at `version`); `auth` as for create. Returns the engine's warnings. */
  updateService(
    id: string,
    version: number,
    spec: SwarmServiceSpec,
    options?: { auth?: RegistryAuth | undefined },
  ): Promise<string[]>;
  /** Removes the service (its tasks' containers go with it); missing is not an error. */
  removeService(id: string): Promise<void>;
  /** The service's tasks, current and recent (the engine keeps a few past ones per slot). */
  tasks(serviceId: string): Promise<SwarmTask[]>;
  /** Creates a secret (immutable: a new value is a new secret). Returns its id. */
  createSecret(name: string, value: string, labels: Record<string, string>): Promise<string>;
  /** Secrets carrying all these labels. */
  secrets(labels: Record<string, string>): Promise<SwarmSecret[]>;
  /** Removes a secret; missing is not an error. A secret a service still uses is refused by the engine. */
  removeSecret(id: string): Promise<void>;
  /**
   * Pushes `reference` (a `registry/repository:tag` the image carries) with
   * these credentials, and returns the digest the registry stored (`sha256:...`).
   */
  push(
    reference: string,
    options?: { auth?: RegistryAuth | undefined; signal?: AbortSignal | undefined },
  ): Promise<string>;
  /**
   * The service's output, demultiplexed, every line preceded by its task's
   * attributes as the engine writes them (`com.docker.swarm.node.id=...,com.docker.swarm.service.id=...,com.docker.swarm.task.id=... line`).
   */
  logs(
    serviceId: string,
    options: { follow: boolean; tail?: number | undefined; signal?: AbortSignal | undefined },
  ): Promise<NodeJS.ReadableStream>;
}
