import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { normalisePlatform } from '../image/platform.js';
import { classifyConnectionError, type ProbeFailure } from './errors.js';
import type { EngineEndpoint } from './types.js';
import { engineUnreachableError } from './unreachable.js';

/**
 * Finding the Docker engine the way the Docker CLI does, then the sockets
 * that Docker Desktop, Colima, OrbStack, Rancher Desktop and Podman leave
 * behind. Everything the machine contributes (environment, home folder,
 * root of the file system, uid) is a parameter, so tests can build one.
 */

/** TLS files for a `tcp://` engine. */
export interface EngineTls {
  /** Verify the engine's certificate against `ca`. */
  verify: boolean;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/** An endpoint discovery may try. */
export interface EngineCandidate extends EngineEndpoint {
  /**
   * Chosen on purpose (stigmer's own setting, DOCKER_HOST or a docker
   * context): when it does not answer, nothing else is tried.
   */
  explicit: boolean;
  /** Present for `tcp://` engines spoken to over TLS. */
  tls?: EngineTls | undefined;
}

/** A candidate that did not answer, and why. */
export interface TriedEndpoint extends EngineEndpoint {
  failure: ProbeFailure;
  /** One line for people: `no socket file at /var/run/docker.sock`. */
  detail: string;
  explicit?: boolean | undefined;
}

export interface DiscoveryOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home folder; `os.homedir()` in production. */
  homeDir: string;
  /** An address set in stigmer's config or on the command line; beats DOCKER_HOST. */
  host?: string | undefined;
  /** How `host` was set, for messages (`the --docker-host flag`). Default: `stigmer configuration`. */
  hostSource?: string | undefined;
  /** Prefix of system paths (`/var/run`, `/run`), for tests. Default `/`. */
  rootDir?: string | undefined;
  /** For `/run/user/<uid>/podman/podman.sock`. Default: the process's uid. */
  uid?: number | undefined;
  /** Default: `process.platform`. */
  platform?: NodeJS.Platform | undefined;
  /** How long one endpoint may take to answer `/_ping`. Default 1500 ms. */
  probeTimeoutMs?: number | undefined;
}

/** What discovery found. */
export interface Discovery {
  endpoint: EngineCandidate;
  /** The engine's `os/arch` from its `/version` answer, when it gave one. */
  platform?: string | undefined;
  /** Candidates that came before it and did not answer. */
  tried: TriedEndpoint[];
}

export const DEFAULT_UNIX_HOST = 'unix:///var/run/docker.sock';
export const DEFAULT_NPIPE_HOST = 'npipe:////./pipe/docker_engine';
export const DEFAULT_PROBE_TIMEOUT_MS = 1500;

/** `docker context "colima" (DOCKER_CONTEXT)` */
function contextSource(name: string, from: string): string {
  return `docker context "${name}" (${from})`;
}

/** The docker CLI's config folder: DOCKER_CONFIG or ~/.docker. */
export function dockerConfigDir(env: DiscoveryOptions['env'], homeDir: string): string {
  return env.DOCKER_CONFIG || join(homeDir, '.docker');
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** The context the docker CLI would use, and where that choice came from; `undefined` for none or `default`. */
export function selectedContext(
  env: DiscoveryOptions['env'],
  homeDir: string,
): { name: string; from: string } | undefined {
  const fromEnv = env.DOCKER_CONTEXT?.trim();
  if (fromEnv) return fromEnv === 'default' ? undefined : { name: fromEnv, from: 'DOCKER_CONTEXT' };
  const configPath = join(dockerConfigDir(env, homeDir), 'config.json');
  let config: unknown;
  try {
    config = readJson(configPath);
  } catch {
    // A missing or unreadable config selects nothing, as for the docker CLI.
    return undefined;
  }
  const current = (config as { currentContext?: unknown } | null)?.currentContext;
  if (typeof current !== 'string' || current === '' || current === 'default') return undefined;
  return { name: current, from: configPath };
}

/**
 * The endpoint of a docker context, from
 * `<config>/contexts/meta/<sha256(name)>/meta.json` (`Endpoints.docker.Host`).
 * Throws `EngineError` (`ENGINE_UNREACHABLE`) naming the context when it does not exist.
 */
export function contextEndpoint(
  name: string,
  from: string,
  env: DiscoveryOptions['env'],
  homeDir: string,
): EngineCandidate {
  const configDir = dockerConfigDir(env, homeDir);
  // node:crypto (~5 ms to load) only when a docker context is selected, so not through an import.
  const { createHash } = process.getBuiltinModule('node:crypto');
  const id = createHash('sha256').update(name).digest('hex');
  const metaPath = join(configDir, 'contexts', 'meta', id, 'meta.json');
  let meta: unknown;
  try {
    meta = readJson(metaPath);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EngineError(
      'ENGINE_UNREACHABLE',
      `Docker context "${name}" (selected by ${from}) ${missing ? 'does not exist' : 'could not be read'}: ` +
        `${missing ? 'no file at' : 'unreadable'} ${metaPath}.\n` +
        'List the contexts with `docker context ls`, then select one with `docker context use NAME` ' +
        `(\`docker context use default\` for the local engine)${from === 'DOCKER_CONTEXT' ? ', or unset DOCKER_CONTEXT' : ''}.`,
      { cause: error, details: { context: name, selectedBy: from, metaPath } },
    );
  }
  const host = (meta as { Endpoints?: { docker?: { Host?: unknown } } } | null)?.Endpoints?.docker?.Host;
  if (typeof host !== 'string' || host === '') {
    throw new EngineError(
      'ENGINE_UNREACHABLE',
      `Docker context "${name}" (selected by ${from}) has no Docker endpoint in ${metaPath}.\n` +
        `Check it with \`docker context inspect ${name}\`, or select another with \`docker context use NAME\`.`,
      { details: { context: name, selectedBy: from, metaPath } },
    );
  }
  const skipVerify =
    (meta as { Endpoints?: { docker?: { SkipTLSVerify?: unknown } } }).Endpoints?.docker?.SkipTLSVerify ===
    true;
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const candidate: EngineCandidate = { host, source: contextSource(name, from), explicit: true };
  if (host.startsWith('tcp://') && existsSync(tlsDir)) {
    candidate.tls = tlsFiles(tlsDir, !skipVerify);
  }
  return candidate;
}

function tlsFiles(dir: string, verify: boolean): EngineTls {
  const file = (name: string) => {
    const path = join(dir, name);
    return existsSync(path) ? path : undefined;
  };
  return { verify, ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') };
}

/** A `tcp://` host speaks TLS when DOCKER_TLS_VERIFY or DOCKER_TLS is set, or on port 2376 (dockerode's rule). */
function envTls(host: string, env: DiscoveryOptions['env'], homeDir: string): EngineTls | undefined {
  if (!host.startsWith('tcp://')) return undefined;
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  let port = '';
  try {
    port = new URL(host).port;
  } catch {
    return undefined;
  }
  if (!verify && !env.DOCKER_TLS && port !== '2376') return undefined;
  return tlsFiles(dockerConfigDir({ DOCKER_CONFIG: env.DOCKER_CERT_PATH }, homeDir), verify);
}

/** A bare `host:port` means `tcp://host:port`, as for the docker CLI; other values are kept as they are. */
function normaliseHost(host: string): string {
  const trimmed = host.trim();
  return trimmed.includes('://') ? trimmed : `tcp://${trimmed}`;
}

/**
 * Every endpoint worth trying, in the Docker CLI's order: stigmer's own host
 * setting, DOCKER_HOST, the selected docker context, then the default socket
 * and the well-known sockets of Docker Desktop, Colima, OrbStack, Rancher
 * Desktop and Podman. An explicit choice (the first three) is returned alone:
 * like the Docker CLI, discovery never falls back from it silently.
 */
export function engineCandidates(options: DiscoveryOptions): EngineCandidate[] {
  const { env, homeDir } = options;
  if (options.host?.trim()) {
    const host = normaliseHost(options.host);
    return [
      {
        host,
        source: options.hostSource ?? 'stigmer configuration',
        explicit: true,
        tls: envTls(host, env, homeDir),
      },
    ];
  }
  if (env.DOCKER_HOST?.trim()) {
    const host = normaliseHost(env.DOCKER_HOST);
    return [{ host, source: 'DOCKER_HOST', explicit: true, tls: envTls(host, env, homeDir) }];
  }
  const context = selectedContext(env, homeDir);
  if (context) return [contextEndpoint(context.name, context.from, env, homeDir)];

  const platform = options.platform ?? process.platform;
  if (platform === 'win32') {
    return [{ host: DEFAULT_NPIPE_HOST, source: 'default named pipe', explicit: false }];
  }
  const root = options.rootDir ?? '/';
  const uid = options.uid ?? process.getuid?.();
  const home = (...parts: string[]) => join(homeDir, ...parts);
  const system = (...parts: string[]) => join(root, ...parts);
  const sockets: Array<[string, string | undefined]> = [
    ['default socket', system('var', 'run', 'docker.sock')],
    ['Docker Desktop socket', home('.docker', 'run', 'docker.sock')],
    ['Docker Desktop socket', home('.docker', 'desktop', 'docker.sock')],
    ['Colima socket', home('.colima', 'default', 'docker.sock')],
    ['Colima socket', home('.colima', 'docker.sock')],
    ['OrbStack socket', home('.orbstack', 'run', 'docker.sock')],
    ['Rancher Desktop socket', home('.rd', 'docker.sock')],
    ['Podman socket', env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock') : undefined],
    ['Podman socket', system('run', 'podman', 'podman.sock')],
    [
      'Podman socket',
      uid === undefined ? undefined : system('run', 'user', String(uid), 'podman', 'podman.sock'),
    ],
    ['Podman machine socket', home('.local', 'share', 'containers', 'podman', 'machine', 'podman.sock')],
    [
      'Podman machine socket',
      home('.local', 'share', 'containers', 'podman', 'machine', 'podman-machine-default', 'podman.sock'),
    ],
  ];
  const seen = new Set<string>();
  const candidates: EngineCandidate[] = [];
  for (const [source, path] of sockets) {
    if (path === undefined || seen.has(path)) continue;
    seen.add(path);
    candidates.push({ host: `unix://${path}`, source, explicit: false });
  }
  return candidates;
}

/** The outcome of asking one endpoint for `/_ping`. */
export type ProbeResult =
  | { ok: true; platform?: string }
  | { ok: false; failure: ProbeFailure; detail: string };

/** Why an endpoint failed, in a few words; the endpoint itself is printed beside it. */
function failureDetail(failure: ProbeFailure, error?: unknown): string {
  switch (failure) {
    case 'missing':
      return 'no socket file there';
    case 'not-a-socket':
      return 'the file there is not a socket';
    case 'refused':
      return 'connection refused (nothing listens there)';
    case 'permission-denied':
      return 'permission denied';
    case 'timeout':
      return 'no answer in time';
    default:
      return error instanceof Error ? error.message : 'could not be reached';
  }
}

/**
 * Asks the endpoint for `GET /_ping` with node:http (dockerode is not loaded
 * for this: discovery must stay cheap). A unix socket is first checked to
 * exist. `ssh://` hosts are not probed: they are accepted as they are, and
 * dockerode reports their errors on first use.
 */
export async function probeEndpoint(
  candidate: EngineCandidate,
  options: { timeoutMs?: number | undefined } = {},
): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const host = candidate.host;
  if (host.startsWith('ssh://')) return { ok: true };

  let request: Parameters<typeof ping>[0];
  if (host.startsWith('unix://') || host.startsWith('npipe://')) {
    const isUnix = host.startsWith('unix://');
    const socketPath = isUnix ? host.slice('unix://'.length) || '/var/run/docker.sock' : npipePath(host);
    if (isUnix) {
      let isSocket: boolean;
      try {
        isSocket = statSync(socketPath).isSocket();
      } catch (error) {
        const failure = classifyConnectionError(error);
        return { ok: false, failure, detail: failureDetail(failure, error) };
      }
      if (!isSocket) return { ok: false, failure: 'not-a-socket', detail: failureDetail('not-a-socket') };
    }
    request = { socketPath };
  } else if (host.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(host);
    } catch (error) {
      return {
        ok: false,
        failure: 'invalid',
        detail: `"${host}" is not a valid address (${(error as Error).message})`,
      };
    }
    const tls = candidate.tls;
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port || (tls ? 2376 : 2375));
    request = { hostname, port, tls, pathPrefix: url.pathname.replace(/\/$/, '') };
  } else {
    return {
      ok: false,
      failure: 'unsupported',
      detail: `"${host}" has a scheme stigmer cannot use (unix://, tcp://, npipe:// or ssh://)`,
    };
  }
  return ping(request, timeoutMs);
}

function npipePath(host: string): string {
  const path = host.slice('npipe://'.length);
  return path === '' ? '//./pipe/docker_engine' : path;
}

async function ping(
  target: {
    socketPath?: string;
    hostname?: string;
    port?: number;
    tls?: EngineTls | undefined;
    pathPrefix?: string;
  },
  timeoutMs: number,
): Promise<ProbeResult> {
  const tls = target.tls;
  // Loaded here, not imported: node:http only when an engine is probed (the fast path's
  // socket engine never does), https and tls only for a TLS engine.
  const { readFile } = process.getBuiltinModule('node:fs/promises');
  const client = process.getBuiltinModule(tls ? 'node:https' : 'node:http');
  const secure = tls
    ? {
        ca: tls.ca ? await readFile(tls.ca) : undefined,
        cert: tls.cert ? await readFile(tls.cert) : undefined,
        key: tls.key ? await readFile(tls.key) : undefined,
        rejectUnauthorized: tls.verify,
      }
    : {};
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const request = client.get(
      {
        ...(target.socketPath
          ? { socketPath: target.socketPath }
          : { hostname: target.hostname, port: target.port }),
        // /version rather than /_ping: the same one round trip also tells the
        // engine's platform, which image checks need next.
        path: `${target.pathPrefix ?? ''}/version`,
        agent: false,
        headers: { Connection: 'close' },
        // Without TLS nothing needs a server name: '' spares Node's agent working one out (an IP check).
        ...(tls ? {} : { servername: '' }),
        ...secure,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          readPlatform(response).then((platform) => finish({ ok: true, ...(platform ? { platform } : {}) }));
          return;
        }
        response.resume();
        finish({
          ok: false,
          failure: 'unexpected-answer',
          detail: `answered /version with HTTP ${status}: not a Docker engine, or an unhealthy one`,
        });
      },
    );
    const timer = setTimeout(
      () => finish({ ok: false, failure: 'timeout', detail: `no answer to /version within ${timeoutMs} ms` }),
      timeoutMs,
    );
    request.on('error', (error) => {
      const failure = classifyConnectionError(error);
      finish({ ok: false, failure, detail: failureDetail(failure, error) });
    });
  });
}

/**
 * Tries the candidates in order and returns the first that answers, with the
 * ones passed over. Throws `EngineError` (`ENGINE_UNREACHABLE`) listing every
 * endpoint tried and why it failed when none answers, or when the selected
 * docker context does not exist.
 */
export async function discoverEngine(options: DiscoveryOptions): Promise<Discovery> {
  const candidates = engineCandidates(options);
  const tried: TriedEndpoint[] = [];
  for (const candidate of candidates) {
    const result = await probeEndpoint(candidate, { timeoutMs: options.probeTimeoutMs });
    if (result.ok) return { endpoint: candidate, tried, platform: result.platform };
    tried.push({
      host: candidate.host,
      source: candidate.source,
      failure: result.failure,
      detail: result.detail,
      explicit: candidate.explicit,
    });
  }
  throw engineUnreachableError(tried);
}

/** The `Os`/`Arch` of a `/version` answer as `os/arch`, or undefined when it has none. */
async function readPlatform(response: NodeJS.ReadableStream): Promise<string | undefined> {
  let body = '';
  try {
    for await (const chunk of response) {
      body += chunk;
      // A version document is a few KB; anything larger is not one.
      if (body.length > 65_536) return undefined;
    }
    return versionPlatform(body);
  } catch {
    return undefined;
  }
}

/** The `Os`/`Arch` of a `/version` answer's text as `os/arch`, or undefined when it has none. */
export function versionPlatform(body: string): string | undefined {
  try {
    const { Os, Arch } = JSON.parse(body) as { Os?: unknown; Arch?: unknown };
    return typeof Os === 'string' && typeof Arch === 'string' ? normalisePlatform(Os, Arch) : undefined;
  } catch {
    return undefined;
  }
}
