import { isStigmerError } from '../errors.js';
import { homeFolder, NO_HOME } from '../home.js';
import { inspectAnswer, isImageRef } from './answer.js';
import {
  DEFAULT_PROBE_TIMEOUT_MS,
  type EngineCandidate,
  engineCandidates,
  versionPlatform,
} from './discover.js';
import { toImageInfo } from './mappers.js';
import { type SocketAnswer, socketGet } from './socket-get.js';
import type { Engine, EngineEndpoint, ImageInfo } from './types.js';

/** Options of a {@link SocketEngine}: what discovery needs, and what to ask for early. */
export interface SocketEngineOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** `engine.host` from settings; beats DOCKER_HOST, as for {@link DockerEngine}. */
  host?: string | undefined;
  /** `engine.timeout`: how long one request may take. */
  callTimeoutMs?: number | undefined;
  /** The run's interrupt: a pending request ends with its reason (an `InterruptedError`). */
  signal?: AbortSignal | undefined;
  /** Told why, the first time a call is refused (see {@link SocketEngine}). */
  onRefusal?: ((why: string) => void) | undefined;
  /**
   * Images to inspect beside the `/version` probe: the request the run is
   * about to make goes out with the probe instead of after it. An answer
   * nobody asks for is dropped.
   */
  prefetch?: readonly string[] | undefined;
}

/**
 * An {@link Engine} that answers only the reads of a local hit (the engine's
 * endpoint and platform, image inspect) over a `unix://` socket or a named
 * pipe, with node:net alone (no dockerode, no node:http). It uses the
 * endpoint discovery would try first (`engineCandidates`, the same order
 * and sources) and only when that endpoint answers `/version`: discovery
 * would then choose it too. Every other call, any other endpoint kind, an
 * endpoint that does not answer and any answer but 200 or 404 is refused:
 * `refused` and `onRefusal` say why, and the call never settles. Nothing in
 * the run sees a refusal (no plugin catches it and records a failure): the
 * run stops where it is, and the host, told, abandons it and runs the command
 * again with {@link DockerEngine}, which says what went wrong. It never
 * changes the engine, so an abandoned run has nothing to undo.
 */
export class SocketEngine implements Engine {
  readonly #options: SocketEngineOptions;
  readonly #first: EngineCandidate | undefined;
  readonly #socket: string | undefined;
  readonly #version: Promise<SocketAnswer> | undefined;
  readonly #prefetched = new Map<string, Promise<SocketAnswer>>();
  /** Why a call was refused, once one was; the run's result is then not to be used. */
  refused: string | undefined;

  constructor(options: SocketEngineOptions) {
    this.#options = options;
    const env = options.env;
    this.#first = engineCandidates({ env, homeDir: homeFolder(env) ?? NO_HOME, host: options.host })[0];
    this.#socket = this.#first && socketPathOf(this.#first.host);
    if (!this.#socket) return;
    // Discovery's probe waits this long for /version, and then says the engine is not there.
    this.#version = settled(socketGet(this.#socket, '/version', DEFAULT_PROBE_TIMEOUT_MS, options.signal));
    for (const reference of options.prefetch ?? []) {
      if (isImageRef(reference)) this.#prefetched.set(reference, this.#get(imagePath(reference)));
    }
  }

  /** Refuses: remembers and reports why, and returns a promise that never settles. */
  refuse(why: string): Promise<never> {
    if (this.refused === undefined) {
      this.refused = why;
      this.#options.onRefusal?.(why);
    }
    return new Promise<never>(() => {});
  }

  async connect(): Promise<EngineEndpoint> {
    const { endpoint } = await this.#found();
    return { host: endpoint.host, source: endpoint.source };
  }

  async platform(): Promise<string> {
    const { platform } = await this.#found();
    return platform ?? this.refuse('know the engine platform without Os and Arch in /version');
  }

  async inspectImage(reference: string): Promise<ImageInfo | undefined> {
    if (!isImageRef(reference)) return undefined;
    await this.#found();
    const { status, body } = await this.#answer(
      this.#prefetched.get(reference) ?? this.#get(imagePath(reference)),
    );
    if (status === 404) return undefined;
    if (status !== 200) return this.refuse(`read HTTP ${status} answers`);
    try {
      return toImageInfo(inspectAnswer(JSON.parse(body), `inspect image ${reference}`));
    } catch {
      return this.refuse('read an unexpected image answer');
    }
  }

  pull(): Promise<never> {
    return this.refuse('pull');
  }
  tag(): Promise<never> {
    return this.refuse('tag');
  }
  removeImage(): Promise<never> {
    return this.refuse('remove images');
  }
  inspectContainer(): Promise<never> {
    return this.refuse('inspect containers');
  }
  listContainers(): Promise<never> {
    return this.refuse('list containers');
  }
  createContainer(): Promise<never> {
    return this.refuse('create containers');
  }
  startContainer(): Promise<never> {
    return this.refuse('start containers');
  }
  stopContainer(): Promise<never> {
    return this.refuse('stop containers');
  }
  killContainer(): Promise<never> {
    return this.refuse('kill containers');
  }
  removeContainer(): Promise<never> {
    return this.refuse('remove containers');
  }
  logs(): Promise<never> {
    return this.refuse('read logs');
  }

  /** The first endpoint and its platform, once it answered `/version`; a refusal otherwise. */
  async #found(): Promise<{ endpoint: EngineCandidate; platform: string | undefined }> {
    if (!this.#first || !this.#version) {
      return this.refuse(`talk to ${this.#first?.host.split(':')[0] ?? 'undiscovered'} engines`);
    }
    const { status, body } = await this.#answer(this.#version);
    if (status < 200 || status > 299)
      return this.refuse(`use an engine that answers /version with ${status}`);
    return { endpoint: this.#first, platform: versionPlatform(body) };
  }

  /** The answer, or a refusal saying why there is none. */
  async #answer(answer: Promise<SocketAnswer>): Promise<SocketAnswer> {
    try {
      return await answer;
    } catch (error) {
      // An interrupt is the run's to report, as the full CLI does.
      if (isStigmerError(error)) throw error;
      return this.refuse((error as Error).message);
    }
  }

  /** GET on the socket, bounded by the call timeout. */
  #get(path: string): Promise<SocketAnswer> {
    const { callTimeoutMs, signal } = this.#options;
    return settled(socketGet(this.#socket as string, path, callTimeoutMs, signal));
  }
}

/** The promise, with a handler attached so that an answer nobody awaits is no unhandled rejection. */
function settled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

function imagePath(reference: string): string {
  return `/images/${reference}/json`;
}

/** The socket or pipe path of a `unix://` or `npipe://` host; undefined for any other kind. */
function socketPathOf(host: string): string | undefined {
  if (host.startsWith('unix://')) return host.slice('unix://'.length) || '/var/run/docker.sock';
  if (host.startsWith('npipe://')) return host.slice('npipe://'.length) || '//./pipe/docker_engine';
  return undefined;
}
