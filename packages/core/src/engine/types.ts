import type { SwarmEngine } from './swarm-types.js';

/** Registry credentials as the Engine API takes them. Never printed, never traced. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** A bearer token for the registry itself (skips the token server). */
  registryToken?: string;
  /** An OAuth refresh/identity token (`auths.*.identitytoken` in the docker config). */
  identityToken?: string;
  serverAddress?: string;
}

/** The engine's view of an image, trimmed to what stigmer uses. */
export interface ImageInfo {
  id: string;
  repoTags: string[];
  /** `name@sha256:...` for each registry the image was pulled from. */
  repoDigests: string[];
  /** `os/arch[/variant]`. */
  platform: string;
  labels: Record<string, string>;
  created: string;
  sizeBytes: number;
  /** `Config.Entrypoint` and `Config.Cmd`: what a container of it runs when nothing overrides them. */
  entrypoint?: string[] | undefined;
  cmd?: string[] | undefined;
  /** The image's HEALTHCHECK, when it has one in force (not `NONE`). */
  healthcheck?: ImageHealthcheck | undefined;
}

/**
 * An image's HEALTHCHECK as the engine reports it (`Config.Healthcheck`).
 * Durations are in nanoseconds, as the Engine API gives them; absent or 0
 * means Docker's default (interval and timeout 30s, start period 0, 3 retries).
 */
export interface ImageHealthcheck {
  /** `['CMD', exe, ...args]` or `['CMD-SHELL', command]`. */
  test: string[];
  intervalNs?: number | undefined;
  timeoutNs?: number | undefined;
  startPeriodNs?: number | undefined;
  /** How often to check during the start period (Engine API 1.44+). */
  startIntervalNs?: number | undefined;
  retries?: number | undefined;
}

/** One event of a pull, per layer or for the whole image. */
export type PullEvent =
  | { type: 'layer'; layer: string; status: string; current?: number; total?: number }
  | { type: 'status'; status: string }
  | { type: 'digest'; digest: string }
  /** Sent by `pullAndTag` before it tries again: why, and how long it waits first. */
  | { type: 'retry'; attempt: number; delayMs: number; reason: string };

/** Options of a pull. */
export interface PullOptions {
  platform?: string | undefined;
  auth?: RegistryAuth | undefined;
  signal?: AbortSignal | undefined;
  /** Receives every progress event as the engine sends it. */
  onEvent?: ((event: PullEvent) => void) | undefined;
  /**
   * Fail with `PULL_STALLED` when the engine sends nothing for this long, and
   * close the request to the engine. Undefined or 0: wait forever.
   */
  stallTimeoutMs?: number | undefined;
}

/** What a successful pull reports. */
export interface PullResult {
  reference: string;
  /** `sha256:...` as the engine announced it, when it did. */
  digest: string | undefined;
}

/** What a `docker load` put in the engine: images, never names. */
export interface LoadResult {
  /** Ids of the images loaded, each without a name (the archive's names are dropped). */
  ids: string[];
  /** Those of `ids` the engine did not have before: what removing undoes the load. */
  added: string[];
}

/** A bind mount or named volume for the container. */
export interface MountSpec {
  /** Host path (absolute) or volume name. */
  source: string;
  /** Path inside the container. */
  target: string;
  readOnly?: boolean;
}

/**
 * The container stigmer will create, in engine-neutral terms. Built through
 * the `containerSpec` waterfall so plugins can add environment, mounts or labels.
 */
export interface ContainerSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  mounts: MountSpec[];
  /** `host`, `bridge`, `none` or a network name. */
  networkMode?: string;
  /**
   * Extra `/etc/hosts` entries as `name:address` (`docker run --add-host`);
   * `host-gateway` as the address is the engine's way to the host
   * (`host.docker.internal:host-gateway`).
   */
  extraHosts?: string[];
  restartPolicy?: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  user?: string;
  command?: string[];
  /** Run an init process as PID 1 so signals reach the program. */
  init?: boolean;
  log?: { driver: string; options: Record<string, string> };
  /** Env keys whose values are secrets: never printed, never written to state. */
  secretEnv?: string[];
}

/** The engine's view of a container, trimmed to what stigmer uses. */
export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  state: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  health: 'starting' | 'healthy' | 'unhealthy' | undefined;
  startedAt: string;
  restartCount: number;
  labels: Record<string, string>;
  env: string[];
  /** Exit code of the last run (0 while it runs). */
  exitCode: number;
  /** When the last run ended; empty or the zero time while it runs. */
  finishedAt: string;
  /** What the engine said when it could not run the container, if anything. */
  error: string;
  /** `Config.User`; empty for the image's user. */
  user: string;
  /** `HostConfig.RestartPolicy.Name`; empty when none. */
  restartPolicy: string;
  /** `HostConfig.NetworkMode`. */
  networkMode: string;
  /** Bind mounts and volumes as the engine reports them. */
  mounts: { source: string; target: string; readOnly: boolean }[];
  /** True when the container has a HEALTHCHECK (its own or its image's). */
  hasHealthcheck: boolean;
  /** Output of the latest health probe, when there is one. */
  healthOutput: string | undefined;
}

/** Where the engine was found and what else was tried. */
export interface EngineEndpoint {
  /** `unix:///var/run/docker.sock`, `tcp://127.0.0.1:2375`, `npipe:////./pipe/docker_engine`... */
  host: string;
  /** How it was chosen: `DOCKER_HOST`, `docker context "colima"`, `default socket`, `Podman socket`... */
  source: string;
}

/**
 * The one way plugins and the lifecycle talk to Docker. Built on dockerode;
 * every method throws `EngineError` (code `ENGINE_UNREACHABLE` or
 * `ENGINE_FAILED`) with a message that says what was tried.
 */
export interface Engine {
  /** Finds and checks the engine; later calls reuse the answer. */
  connect(): Promise<EngineEndpoint>;
  /** `os/arch[/variant]` the engine runs containers as by default. */
  platform(): Promise<string>;
  /** The image, or `undefined` when the engine does not have it. */
  inspectImage(reference: string): Promise<ImageInfo | undefined>;
  /** Pulls and returns once the stream ended without an error event; throws on any error in the stream. */
  pull(reference: string, options?: PullOptions): Promise<PullResult>;
  /** Adds `target` as a name of `source` (an id or reference). */
  tag(source: string, target: string): Promise<void>;
  /** Removes a name (or an image by id); missing is not an error. */
  removeImage(reference: string, options?: { force?: boolean }): Promise<void>;
  /**
   * Streams a `docker save` archive (tar) of these images, names included.
   * Optional: engines without it cannot export images for offline use.
   */
  saveImages?(
    references: readonly string[],
    options?: { signal?: AbortSignal },
  ): Promise<NodeJS.ReadableStream>;
  /**
   * Loads a `docker save` archive, as `docker load` does, but without the
   * names it carries: the images load untagged and the caller names what it
   * has checked, by id. Errors the engine reports inside its answer (a
   * truncated archive) are thrown, and so is an archive holding entries
   * `docker save` never writes. Optional, as `saveImages`.
   */
  loadImages?(
    archive: NodeJS.ReadableStream,
    options?: { signal?: AbortSignal; source?: string },
  ): Promise<LoadResult>;
  /** The container with this name or id, or `undefined`. */
  inspectContainer(nameOrId: string): Promise<ContainerInfo | undefined>;
  /** Containers carrying all these labels, running or not. */
  listContainers(labels: Record<string, string>): Promise<ContainerInfo[]>;
  /** Creates (does not start) a container; returns its id. */
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Graceful stop with a timeout after which the engine kills. Already stopped is not an error. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  killContainer(id: string): Promise<void>;
  /** Removes the container; missing is not an error. */
  removeContainer(id: string, options?: { force?: boolean }): Promise<void>;
  /**
   * The Swarm API of this engine (services, tasks, nodes, secrets, push), for
   * runtime plugins. Optional: engines without it run no services.
   */
  swarm?(): SwarmEngine;
  /** Container output, demultiplexed, as a readable stream of text. */
  logs(
    id: string,
    options: { follow: boolean; tail?: number; signal?: AbortSignal },
  ): Promise<NodeJS.ReadableStream>;
}
