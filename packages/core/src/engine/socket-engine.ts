import http from 'node:http';
import { homeFolder, NO_HOME } from '../home.js';
import { inspectAnswer, isImageRef } from './answer.js';
import { type Discovery, discoverEngine, type EngineCandidate, engineCandidates } from './discover.js';
import { toImageInfo } from './mappers.js';
import type { Engine, EngineEndpoint, ImageInfo } from './types.js';

/** Options of a {@link SocketEngine}: what discovery needs, and what to ask for early. */
export interface SocketEngineOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** `engine.host` from settings; beats DOCKER_HOST, as for {@link DockerEngine}. */
  host?: string | undefined;
  /** `engine.timeout`: how long one request may take before the engine gives up. */
  callTimeoutMs?: number | undefined;
  /**
   * Images to inspect while discovery waits for `/version`, on the endpoint
   * discovery tries first: the request the run is about to make goes out
   * beside the probe instead of after it. An answer nobody asks for is dropped.
   */
  prefetch?: readonly string[] | undefined;
}

/** What the socket engine was asked and could not do; the host runs the full engine instead. */
export class SocketEngineRefusal extends Error {
  constructor(readonly why: string) {
    super(`the socket engine does not ${why}`);
    this.name = 'SocketEngineRefusal';
  }
}

/** One request's answer: the status and the parsed JSON body (undefined when it was not JSON). */
interface Answer {
  status: number;
  body: unknown;
}

/**
 * An {@link Engine} that answers only the reads of a local hit (discovery,
 * the engine's platform, image inspect) over a `unix://` socket or a named
 * pipe with node:http, without loading dockerode. Every other call, any
 * other endpoint kind and any answer other than 200 or 404 is refused: it
 * throws {@link SocketEngineRefusal} and `refused` says why, so the host can
 * run the command again with {@link DockerEngine}, which says what went wrong.
 * It never changes the engine, so a refused run has nothing to undo.
 */
export class SocketEngine implements Engine {
  readonly #options: SocketEngineOptions;
  readonly #first: EngineCandidate | undefined;
  readonly #discovery: Promise<Discovery>;
  readonly #prefetched = new Map<string, Promise<Answer>>();
  /** Why a call was refused, once one was; the run's result is then not to be used. */
  refused: string | undefined;

  constructor(options: SocketEngineOptions) {
    this.#options = options;
    const discovery = { env: options.env, homeDir: homeFolder(options.env) ?? NO_HOME, host: options.host };
    this.#first = engineCandidates(discovery)[0];
    this.#discovery = discoverEngine(discovery);
    // Settled here too, so that a failed discovery nobody awaits is not an unhandled rejection.
    this.#discovery.catch(() => {});
    const socket = this.#first && socketPathOf(this.#first.host);
    for (const reference of options.prefetch ?? []) {
      if (!socket || !isImageRef(reference)) continue;
      const answer = this.#get(socket, imagePath(reference));
      answer.catch(() => {});
      this.#prefetched.set(reference, answer);
    }
  }

  /** Throws the refusal, remembering why. */
  refuse(why: string): never {
    this.refused ??= why;
    throw new SocketEngineRefusal(why);
  }

  async connect(): Promise<EngineEndpoint> {
    const { endpoint } = await this.#found();
    return { host: endpoint.host, source: endpoint.source };
  }

  async platform(): Promise<string> {
    const { platform } = await this.#found();
    return platform ?? this.refuse('know the engine platform without /version');
  }

  async inspectImage(reference: string): Promise<ImageInfo | undefined> {
    if (!isImageRef(reference)) return undefined;
    const { endpoint } = await this.#found();
    const socket = socketPathOf(endpoint.host) as string;
    const early = endpoint === this.#first ? this.#prefetched.get(reference) : undefined;
    let answer: Answer;
    try {
      answer = await (early ?? this.#get(socket, imagePath(reference)));
    } catch (error) {
      return this.refuse((error as Error).message);
    }
    const { status, body } = answer;
    if (status === 404) return undefined;
    if (status !== 200) return this.refuse(`read HTTP ${status} answers`);
    try {
      return toImageInfo(inspectAnswer(body, `inspect image ${reference}`));
    } catch {
      return this.refuse('read an unexpected image answer');
    }
  }

  pull(): never {
    return this.refuse('pull');
  }
  tag(): never {
    return this.refuse('tag');
  }
  removeImage(): never {
    return this.refuse('remove images');
  }
  inspectContainer(): never {
    return this.refuse('inspect containers');
  }
  listContainers(): never {
    return this.refuse('list containers');
  }
  createContainer(): never {
    return this.refuse('create containers');
  }
  startContainer(): never {
    return this.refuse('start containers');
  }
  stopContainer(): never {
    return this.refuse('stop containers');
  }
  killContainer(): never {
    return this.refuse('kill containers');
  }
  removeContainer(): never {
    return this.refuse('remove containers');
  }
  logs(): never {
    return this.refuse('read logs');
  }

  /** Discovery's answer, when it chose a socket; a refusal otherwise (a failure included). */
  async #found(): Promise<Discovery> {
    let found: Discovery;
    try {
      found = await this.#discovery;
    } catch {
      return this.refuse('report an engine it cannot reach');
    }
    if (!socketPathOf(found.endpoint.host))
      this.refuse(`talk to ${found.endpoint.host.split(':')[0]} engines`);
    return found;
  }

  /** GET `path` on the socket; fails with why on any error, or with no answer within the call timeout. */
  async #get(socketPath: string, path: string): Promise<Answer> {
    const timeoutMs = this.#options.callTimeoutMs;
    return new Promise<Answer>((resolve, reject) => {
      const fail = (why: string) => {
        request.destroy();
        reject(new Error(why));
      };
      // servername '': no TLS on a socket, so Node's agent skips working out a server name for it.
      const options = { socketPath, path, agent: false, servername: '' };
      const request = http.get(options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', () => fail('finish reading an answer'));
        response.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            body = undefined;
          }
          resolve({ status: response.statusCode ?? 0, body });
        });
      });
      request.on('error', () => fail('reach the engine'));
      if (timeoutMs) request.setTimeout(timeoutMs, () => fail(`answer within ${timeoutMs} ms`));
    });
  }
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
