import type Dockerode from 'dockerode';
import { type EngineError, interruption, type StigmerError } from '../errors.js';
import { homeFolder, NO_HOME } from '../home.js';
import { normalisePlatform } from '../image/platform.js';
import { badRefError, inspectAnswer, isContainerRef, isImageRef, listAnswer } from './answer.js';
import { type CallDeadline, callDeadline, DEFAULT_ENGINE_TIMEOUT_MS } from './deadline.js';
import { type Discovery, discoverEngine, type EngineCandidate } from './discover.js';
import { dockerodeOptions } from './dockerode-options.js';
import { engineMessage, mapEngineError, noAnswerError, statusCodeOf } from './errors.js';
import { splitRepoTag, toContainerInfo, toCreateOptions, toImageInfo } from './mappers.js';
import { DockerSwarm } from './swarm.js';
import type { SwarmEngine } from './swarm-types.js';
import type {
  ContainerInfo,
  ContainerSpec,
  Engine,
  EngineEndpoint,
  ImageInfo,
  LoadResult,
  PullOptions,
  PullResult,
} from './types.js';

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
  #swarm: SwarmEngine | undefined;

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
    return mapEngineError(error, operation, this.#endpoint);
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
    // Loaded on first use, as the archive code: a local hit needs neither.
    const [docker, { pullImage }] = await Promise.all([this.client(), import('./pull.js')]);
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
    // The archive code (and tar-stream) loads only for `image export` and `image import`.
    const [docker, { saveImages }] = await Promise.all([this.client(), import('./archive.js')]);
    return saveImages(docker, references, {
      signal: options.signal,
      mapError: (error, operation) => this.mapError(error, operation),
    });
  }

  async loadImages(
    archive: NodeJS.ReadableStream,
    options: { signal?: AbortSignal; source?: string } = {},
  ): Promise<LoadResult> {
    const [docker, { loadImages }] = await Promise.all([this.client(), import('./archive.js')]);
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

  swarm(): SwarmEngine {
    this.#swarm ??= new DockerSwarm({
      client: () => this.client(),
      call: (operation, run, options = {}) =>
        options.tolerate
          ? this.#tolerant(operation, options.tolerate.statuses, options.tolerate.fallback, run, {
              ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
            })
          : this.#call(operation, run, options.timeoutMs),
      mapError: (error, operation) => this.mapError(error, operation),
      deadline: (signal) => callDeadline(signal ?? this.#options.signal, this.#timeoutMs),
      failure: (error, operation, deadline) => this.#failure(error, operation, deadline, this.#timeoutMs),
    });
    return this.#swarm;
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
    const [docker, { streamLogs }] = await Promise.all([this.client(), import('./container-logs.js')]);
    // The answer must begin in time; once it streams, only `signal` ends it (a follow has no end).
    const deadline = callDeadline(signal, this.#timeoutMs);
    try {
      return await streamLogs(docker, id, {
        ...options,
        tty,
        signal,
        answerSignal: deadline.signal,
        mapError: (error) => this.mapError(error, operation),
      });
    } catch (error) {
      throw this.#failure(error, operation, deadline, this.#timeoutMs);
    } finally {
      deadline.clear();
    }
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
