import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type Docker from 'dockerode';
import { freePort } from './ports.js';

/**
 * A real distribution registry (Debian's `docker-registry`, distribution 2.8)
 * on 127.0.0.1. Loopback registries are "insecure" (plain http) for the
 * engine by default, so no daemon.json is needed.
 *
 * Open: anyone may push and pull. Token: `auth.token` points at the harness
 * token server, which reproduces ghcr.io's anonymous/public/private rules.
 */

export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundle: string;
}

export interface RegistryOptions {
  /** Omit for an open registry. */
  auth?: TokenAuth;
  /**
   * An htpasswd file (bcrypt, see `writeHtpasswd`): the registry answers 401
   * with a `Basic` challenge, as a registry behind plain user/password auth
   * does. Excludes `auth`.
   */
  htpasswd?: string;
  /** Used only for the fallback to a local `registry:2` image when `docker-registry` is not installed. */
  docker?: Docker;
}

export interface Registry {
  /** `127.0.0.1:<port>`, the image reference prefix. */
  host: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Where the registry stores blobs; removed by stop(). */
  storageDir: string;
  stop(): Promise<void>;
}

const BINARY = 'docker-registry';
const FALLBACK_IMAGE = 'registry:2';
const START_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 10_000;

export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), 'stigmer-harness-registry-'));
  try {
    // A port picked in advance can be taken before the registry binds it;
    // a fresh port on the next attempt settles such a race.
    let lastError: unknown;
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      try {
        return await startOnFreePort(dir, options);
      } catch (error) {
        lastError = error;
        if (error instanceof RegistryUnavailableError) break;
      }
    }
    throw lastError;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Neither the binary nor the fallback image is there: retrying will not help. */
class RegistryUnavailableError extends Error {}

async function startOnFreePort(dir: string, options: RegistryOptions): Promise<Registry> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const storageDir = join(dir, `storage-${port}`);
  const configPath = join(dir, `config-${port}.yml`);
  await writeFile(configPath, registryConfig(host, storageDir, options));

  const running = onPath(BINARY)
    ? await spawnBinary(configPath, join(dir, `registry-${port}.log`))
    : await runFallbackContainer(options, dir, configPath, port);
  try {
    await waitUntilServing(host, running);
  } catch (error) {
    await running.kill();
    throw error;
  }
  return {
    host,
    url: `http://${host}`,
    storageDir,
    stop: async () => {
      await running.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The configuration, written as JSON: YAML is a superset, and distribution
 * reads it with a YAML parser. Deletes are enabled so tests can remove tags.
 */
function registryConfig(host: string, storageDir: string, { auth, htpasswd }: RegistryOptions): string {
  const config: Record<string, unknown> = {
    version: '0.1',
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: storageDir },
      delete: { enabled: true },
      // Upload purging is a background job the tests do not need.
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: host, secret: randomBytes(16).toString('hex') },
  };
  if (htpasswd) config.auth = { htpasswd: { realm: 'stigmer-harness', path: htpasswd } };
  if (auth) {
    // rootcertbundle is required: without it distribution panics at start.
    config.auth = {
      token: {
        realm: auth.realm,
        service: auth.service,
        issuer: auth.issuer,
        rootcertbundle: auth.rootCertBundle,
      },
    };
  }
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** A started registry, however it runs. */
interface RegistryProcess {
  /** Why it is no longer running, or undefined while it runs. */
  exited(): string | undefined;
  kill(): Promise<void>;
}

async function spawnBinary(configPath: string, logPath: string): Promise<RegistryProcess> {
  // REGISTRY_* variables override the configuration file; the caller's
  // environment must not change the registry under test.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REGISTRY_')));
  const child = spawn(BINARY, ['serve', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    output.push(chunk.toString());
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exitReason: string | undefined;
  child.on('exit', (code, signal) => {
    exitReason = `docker-registry exited (${signal ?? `code ${code}`}): ${output.join('').trim().slice(-2000)}`;
    void writeFile(logPath, output.join('')).catch(() => undefined);
  });
  child.on('error', (error) => {
    exitReason = `docker-registry could not start: ${error.message}`;
  });
  killOnExit(child);
  return { exited: () => exitReason, kill: () => killChild(child) };
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  // distribution drains connections on SIGTERM; don't wait long for it.
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

/** Registries must not outlive a test run that dies without teardown. */
const children = new Set<ChildProcess>();
function killOnExit(child: ChildProcess): void {
  if (children.size === 0) {
    process.once('exit', () => {
      for (const running of children) running.kill('SIGKILL');
    });
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/**
 * Without the Debian package, a `registry:2` image already in the engine can
 * stand in (host networking, so it binds 127.0.0.1 like the binary). The
 * harness cannot pull it: there is no internet here.
 */
async function runFallbackContainer(
  { docker, auth }: RegistryOptions,
  dir: string,
  configPath: string,
  port: number,
): Promise<RegistryProcess> {
  const advice = `\`${BINARY}\` is not on PATH: install it with \`apt-get install -y docker-registry\``;
  if (!docker) throw new RegistryUnavailableError(advice);
  try {
    await docker.getImage(FALLBACK_IMAGE).inspect();
  } catch {
    throw new RegistryUnavailableError(
      `${advice} (the engine has no ${FALLBACK_IMAGE} image to fall back on)`,
    );
  }
  const bundle = auth?.rootCertBundle;
  const binds = [`${dir}:${dir}`, ...(bundle ? [`${bundle}:${bundle}:ro`] : [])];
  const container = await docker.createContainer({
    name: `stigmer-harness-registry-${port}`,
    Image: FALLBACK_IMAGE,
    // The image's entrypoint runs `registry serve <file>` for a *.yml argument.
    Cmd: [configPath],
    HostConfig: { NetworkMode: 'host', Binds: binds, AutoRemove: false },
  });
  await container.start();
  let removed = false;
  return {
    exited: () => undefined,
    kill: async () => {
      if (removed) return;
      removed = true;
      await container.remove({ force: true }).catch(() => undefined);
    },
  };
}

/** Polls /v2/ until it answers: 200 when open, 401 when token auth is on. */
async function waitUntilServing(host: string, registry: RegistryProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    const exited = registry.exited();
    if (exited) throw new Error(exited);
    try {
      const response = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`registry on ${host} did not answer /v2/ within ${READY_TIMEOUT_MS} ms (${lastError})`);
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/**
 * Writes an htpasswd file for `users` (name -> password) with bcrypt, the
 * only hash distribution accepts, by Apache's `htpasswd` (Debian's
 * apache2-utils, which .ci/run installs). Passwords go in on stdin.
 */
export async function writeHtpasswd(file: string, users: Record<string, string>): Promise<void> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    const child = spawn('htpasswd', ['-niB', user], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.stdin.end(password);
    const [code] = (await once(child, 'close')) as [number | null];
    if (code !== 0) {
      throw new Error(
        `htpasswd exited with ${code} (${err.trim()}); install it with \`apt-get install -y apache2-utils\``,
      );
    }
    lines.push(out.trim());
  }
  await writeFile(file, `${lines.join('\n')}\n`);
}
