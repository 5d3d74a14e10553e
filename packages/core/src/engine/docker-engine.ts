import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { EngineError, isStigmerError, type StigmerError } from '../errors.js';
import { homeFolder, NO_HOME } from '../home.js';
import { normalisePlatform } from '../image/platform.js';
import type { ContainerSpec } from '../lifecycle/types.js';
import { badRefError, inspectAnswer, isContainerRef, isImageRef, listAnswer } from './answer.js';
import { loadImages, saveImages } from './archive.js';
import { type CallDeadline, callDeadline, DEFAULT_ENGINE_TIMEOUT_MS, noAnswerError } from './deadline.js';
import {
  classifyConnectionError,
  type Discovery,
  discoverEngine,
  type EngineCandidate,
  isConnectionError,
} from './discover.js';
import { engineMessage, interruption, pullImage } from './pull.js';
import type {
  ContainerInfo,
  Engine,
  EngineEndpoint,
  ImageInfo,
  LoadResult,
  PullOptions,
  PullResult,
} from './types.js';
import { engineUnreachableError } from './unreachable.js';

/** How to build a DockerEngine. */
export interface DockerEngineOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Default: `env.HOME` when absolute, else the account's home (`homeFolder`). */
  homeDir?: string | undefined;
  /** An engine address from stigmer's config or a flag: used alone, before DOCKER_HOST. */
  host?: string | undefined;
  /** How `host` was set, for messages (`the --docker-host flag`). */
  hostSource?: string | undefined;
  /** How long each discovered endpoint may take to answer `/_ping`. Default 1500 ms. */
  probeTimeoutMs?: number | undefined;
  /** Test seams for discovery: prefix of system paths and uid. */
  rootDir?: string | undefined;
  uid?: number | undefined;
  /**
   * How long a quick call (inspect, list, tag, create, start, remove) may
   * take before the engine counts as not answering (`engine.timeout`).
   * Default 30 s. Pulls are watched for stalls instead; log follows and
   * image save/load have no limit.
   */
  callTimeoutMs?: number | undefined;
  /**
   * Aborts the calls in flight when it fires (SIGINT, SIGTERM); calls made
   * afterwards (clean-up) still run, within their timeout.
   */
  signal?: AbortSignal | undefined;
}

const CONTAINER_STATES = new Set<ContainerInfo['state']>([
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
]);
const HEALTH_STATES = new Set(['starting', 'healthy', 'unhealthy']);

/**
 * `repo:tag` for the Engine API's tag call: the tag is after the last `:`
 * that follows the last `/` (a `:` before it is a registry port); no tag means
 * `latest`. A digest cannot be a tag target.
 */
export function splitRepoTag(target: string): { repo: string; tag: string } {
  if (target.includes('@')) {
    throw new EngineError(
      'ENGINE_FAILED',
      `Cannot tag an image as "${target}": a name with a digest cannot be a tag. Use NAME[:TAG].`,
      { details: { target } },
    );
  }
  const colon = target.lastIndexOf(':');
  if (colon > target.lastIndexOf('/')) return { repo: target.slice(0, colon), tag: target.slice(colon + 1) };
  return { repo: target, tag: 'latest' };
}

/**
 * The image, trimmed to what stigmer uses.
 * @internal dockerode types stay out of the published declarations.
 */
export function toImageInfo(inspect: Dockerode.ImageInspectInfo): ImageInfo {
  const variant = (inspect as { Variant?: string }).Variant;
  return {
    id: inspect.Id,
    repoTags: inspect.RepoTags ?? [],
    repoDigests: inspect.RepoDigests ?? [],
    platform: normalisePlatform(inspect.Os || 'linux', inspect.Architecture || 'unknown', variant),
    labels: inspect.Config?.Labels ?? {},
    created: inspect.Created,
    sizeBytes: inspect.Size,
  };
}

/**
 * The container, trimmed to what stigmer uses.
 * @internal dockerode types stay out of the published declarations.
 */
export function toContainerInfo(inspect: Dockerode.ContainerInspectInfo): ContainerInfo {
  const status = inspect.State?.Status as ContainerInfo['state'];
  const health = inspect.State?.Health?.Status;
  return {
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    image: inspect.Config?.Image ?? '',
    imageId: inspect.Image,
    state: CONTAINER_STATES.has(status) ? status : 'dead',
    health: health && HEALTH_STATES.has(health) ? (health as ContainerInfo['health']) : undefined,
    startedAt: inspect.State?.StartedAt ?? '',
    restartCount: inspect.RestartCount ?? 0,
    labels: inspect.Config?.Labels ?? {},
    env: inspect.Config?.Env ?? [],
    exitCode: inspect.State?.ExitCode ?? 0,
    finishedAt: inspect.State?.FinishedAt ?? '',
    error: inspect.State?.Error ?? '',
    user: inspect.Config?.User ?? '',
    restartPolicy: inspect.HostConfig?.RestartPolicy?.Name ?? '',
    networkMode: inspect.HostConfig?.NetworkMode ?? '',
    mounts: (inspect.Mounts ?? []).map((m) => ({
      source: m.Type === 'volume' && m.Name ? m.Name : m.Source,
      target: m.Destination,
      readOnly: m.RW === false,
    })),
    hasHealthcheck: hasHealthcheck(inspect),
    healthOutput: inspect.State?.Health?.Log?.at(-1)?.Output?.trim() || undefined,
  };
}

/** A HEALTHCHECK is in force unless there is none or it is `NONE` (`--no-healthcheck`). */
function hasHealthcheck(inspect: Dockerode.ContainerInspectInfo): boolean {
  const test = inspect.Config?.Healthcheck?.Test;
  return Array.isArray(test) && test.length > 0 && test[0] !== 'NONE';
}

/**
 * The Engine API's create options for a spec. Mounts use `Binds`, as
 * `docker run -v` does (a missing host folder is created); a host path with a
 * `:` in it cannot be written as a bind string and goes to `Mounts` instead.
 * @internal dockerode types stay out of the published declarations.
 */
export function toCreateOptions(spec: ContainerSpec): Dockerode.ContainerCreateOptions {
  const binds: string[] = [];
  const mounts: Dockerode.MountSettings[] = [];
  for (const mount of spec.mounts) {
    const isPath = mount.source.startsWith('/') || /^[A-Za-z]:[\\/]/.test(mount.source);
    if (isPath && mount.source.includes(':') && !/^[A-Za-z]:[\\/]/.test(mount.source)) {
      mounts.push({
        Type: 'bind',
        Source: mount.source,
        Target: mount.target,
        ReadOnly: Boolean(mount.readOnly),
      });
    } else {
      binds.push(`${mount.source}:${mount.target}${mount.readOnly ? ':ro' : ''}`);
    }
  }
  const hostConfig: Dockerode.HostConfig = {};
  if (binds.length > 0) hostConfig.Binds = binds;
  if (mounts.length > 0) hostConfig.Mounts = mounts;
  if (spec.networkMode) hostConfig.NetworkMode = spec.networkMode;
  if (spec.extraHosts && spec.extraHosts.length > 0) hostConfig.ExtraHosts = [...spec.extraHosts];
  if (spec.restartPolicy) hostConfig.RestartPolicy = { Name: spec.restartPolicy, MaximumRetryCount: 0 };
  if (spec.init !== undefined) hostConfig.Init = spec.init;
  if (spec.log) hostConfig.LogConfig = { Type: spec.log.driver, Config: { ...spec.log.options } };

  const options: Dockerode.ContainerCreateOptions = {
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    Labels: { ...spec.labels },
    HostConfig: hostConfig,
  };
  if (spec.user) options.User = spec.user;
  if (spec.command) options.Cmd = [...spec.command];
  return options;
}

function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * dockerode options for an endpoint; every field dockerode would read from process.env is set explicitly.
 * @internal dockerode types stay out of the published declarations.
 */
export function dockerodeOptions(
  candidate: EngineCandidate,
  env: Readonly<Record<string, string | undefined>>,
): Dockerode.DockerOptions {
  const blank = {
    host: undefined,
    port: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    timeout: undefined,
  };
  const host = candidate.host;
  if (host.startsWith('unix://')) {
    return { ...blank, socketPath: host.slice('unix://'.length) || '/var/run/docker.sock', protocol: 'http' };
  }
  if (host.startsWith('npipe://')) {
    return {
      ...blank,
      socketPath: host.slice('npipe://'.length) || '//./pipe/docker_engine',
      protocol: 'http',
    };
  }
  const url = new URL(host);
  if (url.protocol === 'ssh:') {
    return {
      ...blank,
      host: url.hostname,
      port: url.port || 22,
      protocol: 'ssh',
      username: decodeURIComponent(url.username) || undefined,
      sshOptions: env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {},
    } as Dockerode.DockerOptions;
  }
  const tls = candidate.tls;
  const read = (path: string | undefined) => (path ? readFileSync(path) : undefined);
  return {
    ...blank,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || (tls ? 2376 : 2375),
    protocol: tls ? 'https' : 'http',
    ...(tls ? { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key) } : {}),
  };
}

/**
 * The Engine on dockerode. dockerode is imported on first use, not when this
 * module loads: with its ssh and gRPC dependencies it costs ~75 ms of start-up,
 * which commands that never reach the engine should not pay. Discovery runs
 * once per instance (node:http only) and is reused by every call.
 */
export class DockerEngine implements Engine {
  readonly #options: DockerEngineOptions;
  #discovery: Promise<Discovery> | undefined;
  #client: Promise<Dockerode> | undefined;
  #platform: Promise<string> | undefined;
  #endpoint: EngineCandidate | undefined;

  constructor(options: DockerEngineOptions) {
    this.#options = options;
  }

  /** What discovery found; runs it on first call. */
  async discovery(): Promise<Discovery> {
    if (!this.#discovery) {
      const { env } = this.#options;
      this.#discovery = discoverEngine({
        env,
        homeDir: this.#options.homeDir ?? homeFolder(env) ?? NO_HOME,
        host: this.#options.host,
        hostSource: this.#options.hostSource,
        probeTimeoutMs: this.#options.probeTimeoutMs,
        rootDir: this.#options.rootDir,
        uid: this.#options.uid,
      });
      // A failed discovery is not kept: the engine may be started before the next call.
      this.#discovery.catch(() => {
        this.#discovery = undefined;
      });
    }
    return this.#discovery;
  }

  async connect(): Promise<EngineEndpoint> {
    // Whoever connects is about to call the engine: load dockerode meanwhile.
    this.client().catch(() => {});
    const { endpoint } = await this.discovery();
    this.#endpoint = endpoint;
    return { host: endpoint.host, source: endpoint.source };
  }

  /** What the engine says about itself: the server part of `docker version`. */
  async version(): Promise<{ version: string; apiVersion: string; platform: string }> {
    const answer = await (await this.client()).version();
    return {
      version: answer.Version,
      apiVersion: answer.ApiVersion,
      platform: `${answer.Os}/${answer.Arch}`,
    };
  }

  /**
   * The dockerode client, loading dockerode on first use.
   * @internal dockerode types stay out of the published declarations.
   */
  async client(): Promise<Dockerode> {
    if (!this.#client) {
      this.#client = (async () => {
        // Load dockerode while discovery waits for the engine's answer.
        const [{ endpoint }, { default: Docker }] = await Promise.all([
          this.discovery(),
          import('dockerode'),
        ]);
        this.#endpoint = endpoint;
        return new Docker(dockerodeOptions(endpoint, this.#options.env));
      })();
      this.#client.catch(() => {
        this.#client = undefined;
      });
    }
    return this.#client;
  }

  /** Turns any error of an engine call into an EngineError; stigmer errors pass through. */
  mapError(error: unknown, operation: string): EngineError {
    if (error instanceof EngineError) return error;
    if (isStigmerError(error)) return error as EngineError;
    if (isConnectionError(error)) {
      const endpoint = this.#endpoint;
      const failure = classifyConnectionError(error);
      const where = endpoint?.host ?? 'the Docker engine';
      return engineUnreachableError(
        [
          {
            host: where,
            source: endpoint?.source ?? 'discovery',
            failure,
            detail: `the engine stopped answering while stigmer tried to ${operation} (${(error as Error).message})`,
            explicit: endpoint?.explicit,
          },
        ],
        error,
      );
    }
    const statusCode = statusCodeOf(error);
    return new EngineError('ENGINE_FAILED', `Docker engine could not ${operation}: ${engineMessage(error)}`, {
      cause: error,
      details: { operation, ...(statusCode === undefined ? {} : { statusCode }) },
    });
  }

  get #timeoutMs(): number {
    return this.#options.callTimeoutMs ?? DEFAULT_ENGINE_TIMEOUT_MS;
  }

  /** A deadline for one call: the interrupt signal, and `timeoutMs` (default: `engine.timeout`). */
  #deadline(timeoutMs = this.#timeoutMs): CallDeadline {
    return callDeadline(this.#options.signal, timeoutMs);
  }

  /** Why a call failed: out of time, interrupted, or what the engine said. */
  #failure(error: unknown, operation: string, deadline: CallDeadline, timeoutMs: number): StigmerError {
    if (deadline.expired) return noAnswerError(this.#endpoint, operation, timeoutMs);
    if (deadline.signal.aborted) return interruption(deadline.signal);
    return this.mapError(error, operation);
  }

  /** Runs one request with a deadline; any error becomes a stigmer error. */
  async #call<T>(
    operation: string,
    run: (docker: Dockerode, abortSignal: AbortSignal) => Promise<T>,
    timeoutMs = this.#timeoutMs,
  ): Promise<T> {
    const docker = await this.client();
    const deadline = this.#deadline(timeoutMs);
    try {
      return await whileLive(run(docker, deadline.signal), deadline.signal);
    } catch (error) {
      throw this.#failure(error, operation, deadline, timeoutMs);
    } finally {
      deadline.clear();
    }
  }

  /** Like #call, but the listed HTTP statuses resolve to `fallback` instead of failing. */
  async #tolerant<T>(
    operation: string,
    statuses: readonly number[],
    fallback: T,
    run: (docker: Dockerode, abortSignal: AbortSignal) => Promise<T>,
    options: { accept?: (error: unknown) => boolean; timeoutMs?: number } = {},
  ): Promise<T> {
    const docker = await this.client();
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const deadline = this.#deadline(timeoutMs);
    try {
      return await whileLive(run(docker, deadline.signal), deadline.signal);
    } catch (error) {
      const status = statusCodeOf(error);
      const answered = !deadline.signal.aborted;
      if (answered && ((status !== undefined && statuses.includes(status)) || options.accept?.(error)))
        return fallback;
      throw this.#failure(error, operation, deadline, timeoutMs);
    } finally {
      deadline.clear();
    }
  }

  async platform(): Promise<string> {
    if (!this.#platform) {
      this.#platform = this.#call('read its version', async (docker, abortSignal) => {
        // Discovery asked /version already (one round trip instead of two).
        const discovered = (await this.discovery()).platform;
        if (discovered) return discovered;
        // The types omit the options these calls take; abortSignal is one of them.
        const ask = (call: 'version' | 'info') =>
          (docker[call] as unknown as (options: object) => Promise<unknown>).call(docker, { abortSignal });
        const version = (await ask('version')) as { Os?: string; Arch?: string } | undefined;
        if (version?.Os && version.Arch) return normalisePlatform(version.Os, version.Arch);
        const info = (await ask('info')) as { OSType?: string; Architecture?: string } | undefined;
        return normalisePlatform(info?.OSType || 'linux', info?.Architecture || 'unknown');
      });
      this.#platform.catch(() => {
        this.#platform = undefined;
      });
    }
    return this.#platform;
  }

  async inspectImage(reference: string): Promise<ImageInfo | undefined> {
    // A name no image can have is not sent: it could change the request's path.
    if (!isImageRef(reference)) return undefined;
    const operation = `inspect image ${reference}`;
    return this.#tolerant(operation, [404], undefined, async (docker, abortSignal) => {
      // Through the modem: dockerode's image inspect drops the abort signal.
      const answer = await new Promise<unknown>((resolve, reject) => {
        docker.modem.dial(
          {
            path: `/images/${reference}/json`,
            method: 'GET',
            abortSignal,
            statusCodes: { 200: true, 404: 'no such image', 500: 'server error' },
          },
          (error, data) => (error ? reject(error) : resolve(data)),
        );
      });
      return toImageInfo(inspectAnswer(answer, operation));
    });
  }

  async pull(reference: string, options: PullOptions = {}): Promise<PullResult> {
    const docker = await this.client();
    return pullImage(docker, reference, {
      ...options,
      mapError: (error, operation) => this.mapError(error, operation),
    });
  }

  async tag(source: string, target: string): Promise<void> {
    const { repo, tag } = splitRepoTag(target);
    const operation = `tag ${source} as ${target}`;
    if (!isImageRef(source) || !isImageRef(target)) throw badRefError('image', source, operation);
    await this.#call(operation, async (docker, abortSignal) => {
      await docker.getImage(source).tag({ repo, tag, abortSignal });
    });
  }

  async removeImage(reference: string, options: { force?: boolean } = {}): Promise<void> {
    if (!isImageRef(reference)) return;
    await this.#tolerant(`remove image ${reference}`, [404], undefined, async (docker, abortSignal) => {
      await docker.getImage(reference).remove({ force: Boolean(options.force), abortSignal } as object);
    });
  }

  async saveImages(
    references: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<NodeJS.ReadableStream> {
    const docker = await this.client();
    return saveImages(docker, references, {
      signal: options.signal,
      mapError: (error, operation) => this.mapError(error, operation),
    });
  }

  async loadImages(
    archive: NodeJS.ReadableStream,
    options: { signal?: AbortSignal; source?: string } = {},
  ): Promise<LoadResult> {
    const docker = await this.client();
    return loadImages(docker, archive, {
      signal: options.signal,
      source: options.source ?? 'an image archive',
      mapError: (error, operation) => this.mapError(error, operation),
    });
  }

  async inspectContainer(nameOrId: string): Promise<ContainerInfo | undefined> {
    // An empty or path-like id (a hand-edited state file) names no container.
    if (!isContainerRef(nameOrId)) return undefined;
    const operation = `inspect container ${nameOrId}`;
    return this.#tolerant(operation, [404], undefined, async (docker, abortSignal) =>
      toContainerInfo(
        inspectAnswer(await docker.getContainer(nameOrId).inspect({ abortSignal } as object), operation),
      ),
    );
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerInfo[]> {
    const filters = { label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) };
    const operation = 'list containers';
    const summaries = await this.#call(operation, async (docker, abortSignal) =>
      listAnswer<{ Id: string }>(
        await docker.listContainers({ all: true, filters: JSON.stringify(filters), abortSignal }),
        operation,
      ),
    );
    // The list lacks environment, health and restart count: inspect each
    // (a container removed in between is skipped). All settle before any
    // failure is thrown, so no rejection is left unwatched.
    const settled = await Promise.allSettled(summaries.map((summary) => this.inspectContainer(summary.Id)));
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.flatMap((result) => (result.status === 'fulfilled' && result.value ? [result.value] : []));
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    // The message names the container, never its environment (it may hold secrets).
    const operation = `create container ${spec.name} from ${spec.image}`;
    return this.#call(operation, async (docker, abortSignal) => {
      // dockerode would also put every option in the query string, environment
      // (and so API keys) included, where proxies and engine logs record URLs:
      // the name goes in the query, everything else in the body only.
      const { name, ...body } = toCreateOptions(spec);
      const container = await docker.createContainer({ _query: { name }, _body: body, abortSignal } as never);
      if (typeof container.id !== 'string' || !isContainerRef(container.id))
        throw inspectAnswer(undefined, operation);
      return container.id;
    });
  }

  async startContainer(id: string): Promise<void> {
    const operation = `start container ${id}`;
    if (!isContainerRef(id)) throw badRefError('container', id, operation);
    // 304: already started.
    await this.#tolerant(operation, [304], undefined, async (docker, abortSignal) => {
      await docker.getContainer(id).start({ abortSignal } as object);
    });
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const operation = `stop container ${id}`;
    if (!isContainerRef(id)) throw badRefError('container', id, operation);
    const t = Math.max(0, Math.round(timeoutSeconds));
    await this.#tolerant(
      operation,
      [304],
      undefined,
      async (docker, abortSignal) => {
        await docker.getContainer(id).stop({ t, abortSignal });
      },
      // The engine itself waits t seconds before it kills.
      { accept: isNotRunning, timeoutMs: t * 1000 + this.#timeoutMs },
    );
  }

  async killContainer(id: string): Promise<void> {
    const operation = `kill container ${id}`;
    if (!isContainerRef(id)) throw badRefError('container', id, operation);
    // Killing a container that is not running is what the caller wanted anyway.
    await this.#tolerant(
      operation,
      [],
      undefined,
      async (docker, abortSignal) => {
        await docker.getContainer(id).kill({ abortSignal });
      },
      { accept: isNotRunning },
    );
  }

  async removeContainer(id: string, options: { force?: boolean } = {}): Promise<void> {
    if (!isContainerRef(id)) return;
    await this.#tolerant(`remove container ${id}`, [404], undefined, async (docker, abortSignal) => {
      await docker.getContainer(id).remove({ force: Boolean(options.force), abortSignal });
    });
  }

  async logs(
    id: string,
    options: { follow: boolean; tail?: number; signal?: AbortSignal },
  ): Promise<NodeJS.ReadableStream> {
    const signal = options.signal ?? this.#options.signal;
    if (signal?.aborted) throw interruption(signal);
    const operation = `read the logs of container ${id}`;
    if (!isContainerRef(id)) throw badRefError('container', id, operation);
    const tty = await this.#call(operation, async (docker, abortSignal) => {
      const answer = await docker.getContainer(id).inspect({ abortSignal } as object);
      return Boolean(
        inspectAnswer<{ Id: string; Config?: { Tty?: boolean } }>(answer, operation).Config?.Tty,
      );
    });
    const docker = await this.client();
    // The answer must begin in time; once it streams, only `signal` ends it (a follow has no end).
    const deadline = callDeadline(signal, this.#timeoutMs);
    // modem.dial directly: dockerode's logs() buffers the whole output when not following.
    let raw: IncomingMessage;
    try {
      raw = await new Promise<IncomingMessage>((resolve, reject) => {
        docker.modem.dial(
          {
            path: `/containers/${encodeURIComponent(id)}/logs?`,
            method: 'GET',
            isStream: true,
            abortSignal: deadline.signal,
            statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
            options: {
              follow: options.follow,
              stdout: true,
              stderr: true,
              tail: options.tail === undefined ? 'all' : String(Math.max(0, Math.floor(options.tail))),
            },
          },
          (error, data) => (error ? reject(error) : resolve(data as IncomingMessage)),
        );
      });
    } catch (error) {
      throw this.#failure(error, operation, deadline, this.#timeoutMs);
    } finally {
      deadline.clear();
    }

    const out = new PassThrough();
    const stop = () => {
      signal?.removeEventListener('abort', onAbort);
      raw.destroy();
    };
    // Aborting ends the text stream normally: the reader sees the lines it got.
    const onAbort = () => {
      stop();
      out.end();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    raw.on('end', () => {
      signal?.removeEventListener('abort', onAbort);
      out.end();
    });
    raw.on('error', (error) => {
      if (signal?.aborted || out.writableEnded) return;
      signal?.removeEventListener('abort', onAbort);
      out.destroy(this.mapError(error, operation));
    });
    raw.on('close', () => {
      if (!out.writableEnded && !out.destroyed && !signal?.aborted) out.end();
    });
    // A reader that gives up early closes the request too.
    out.on('close', stop);
    if (tty) raw.pipe(out, { end: false });
    else docker.modem.demuxStream(raw, out, out);
    return out;
  }
}

/**
 * `work`, or a rejection as soon as `signal` aborts, whichever comes first:
 * a request that ignored its abort signal still cannot hold the caller.
 */
function whileLive<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function isNotRunning(error: unknown): boolean {
  return /is not running|already stopped|container state improper/i.test(engineMessage(error));
}
