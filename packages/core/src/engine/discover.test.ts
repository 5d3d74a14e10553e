import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../errors.js';
import {
  type DiscoveryOptions,
  discoverEngine,
  engineCandidates,
  probeEndpoint,
  type TriedEndpoint,
} from './discover.js';
import { classifyConnectionError } from './errors.js';

// Every test gets a fresh machine: a home folder and a root for /var/run and
// /run, with real unix sockets where an engine should answer.
let base: string;
let home: string;
let root: string;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(() => {
  // Short prefix: unix socket paths are limited to ~107 bytes.
  base = mkdtempSync('/tmp/sd-');
  home = join(base, 'h');
  root = join(base, 'r');
  mkdirSync(home);
  mkdirSync(root);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(base, { recursive: true, force: true });
});

/** An HTTP server on a unix socket answering /version like an engine (or with `status`). */
async function engineAt(path: string, status = 200): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  const server: Server = createHttpServer((request, response) => {
    response.writeHead(request.url === '/version' ? status : 404, { 'Content-Type': 'application/json' });
    response.end(request.url === '/version' && status === 200 ? '{"Os":"linux","Arch":"aarch64"}' : 'no');
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `unix://${path}`;
}

/** A socket that accepts connections and never answers. */
async function silentAt(path: string): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return `unix://${path}`;
}

/** A socket file nobody listens on any more: a process bound it and was killed. */
async function deadSocketAt(path: string): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  const child = spawn(
    process.execPath,
    ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return `unix://${path}`;
}

/** Writes a docker context the way `docker context create` does. */
function writeContext(configDir: string, name: string, host: string): void {
  const dir = join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
}

function options(env: Record<string, string> = {}, extra: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return { env, homeDir: home, rootDir: root, uid: 4242, platform: 'linux', probeTimeoutMs: 500, ...extra };
}

async function unreachable(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe('ENGINE_UNREACHABLE');
  return error as EngineError;
}

const triedOf = (error: EngineError) => error.details.tried as Array<Pick<TriedEndpoint, 'host' | 'failure'>>;

describe('engineCandidates', () => {
  it('lists the default socket, then Docker Desktop, Colima, OrbStack, Rancher Desktop and Podman, in that order', () => {
    const candidates = engineCandidates(options({ XDG_RUNTIME_DIR: join(root, 'xdg') }));
    expect(candidates.map((candidate) => [candidate.source, candidate.host.replace(base, '')])).toEqual([
      ['default socket', 'unix:///r/var/run/docker.sock'],
      ['Docker Desktop socket', 'unix:///h/.docker/run/docker.sock'],
      ['Docker Desktop socket', 'unix:///h/.docker/desktop/docker.sock'],
      ['Colima socket', 'unix:///h/.colima/default/docker.sock'],
      ['Colima socket', 'unix:///h/.colima/docker.sock'],
      ['OrbStack socket', 'unix:///h/.orbstack/run/docker.sock'],
      ['Rancher Desktop socket', 'unix:///h/.rd/docker.sock'],
      ['Podman socket', 'unix:///r/xdg/podman/podman.sock'],
      ['Podman socket', 'unix:///r/run/podman/podman.sock'],
      ['Podman socket', 'unix:///r/run/user/4242/podman/podman.sock'],
      ['Podman machine socket', 'unix:///h/.local/share/containers/podman/machine/podman.sock'],
      [
        'Podman machine socket',
        'unix:///h/.local/share/containers/podman/machine/podman-machine-default/podman.sock',
      ],
    ]);
    expect(candidates.every((candidate) => !candidate.explicit)).toBe(true);
  });

  it('lists the same Podman socket once when XDG_RUNTIME_DIR is /run/user/<uid>', () => {
    const candidates = engineCandidates(options({ XDG_RUNTIME_DIR: join(root, 'run', 'user', '4242') }));
    const podman = candidates.filter((candidate) => candidate.source === 'Podman socket');
    expect(podman).toHaveLength(2);
  });

  it('keeps DOCKER_HOST schemes as they are and reads a bare host:port as tcp://', () => {
    for (const host of [
      'unix:///x.sock',
      'tcp://127.0.0.1:2375',
      'npipe:////./pipe/docker_engine',
      'ssh://me@box',
    ]) {
      expect(engineCandidates(options({ DOCKER_HOST: host }))).toEqual([
        { host, source: 'DOCKER_HOST', explicit: true, tls: undefined },
      ]);
    }
    expect(engineCandidates(options({ DOCKER_HOST: '127.0.0.1:2375' }))[0]?.host).toBe(
      'tcp://127.0.0.1:2375',
    );
  });

  it('speaks TLS to tcp:// engines on port 2376 or with DOCKER_TLS_VERIFY, with certificates from DOCKER_CERT_PATH', () => {
    expect(engineCandidates(options({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }))[0]?.tls).toBeUndefined();
    expect(engineCandidates(options({ DOCKER_HOST: 'tcp://127.0.0.1:2376' }))[0]?.tls).toEqual({
      verify: false,
      ca: undefined,
      cert: undefined,
      key: undefined,
    });
    const certs = join(base, 'certs');
    mkdirSync(certs);
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, file), '');
    const env = { DOCKER_HOST: 'tcp://127.0.0.1:9999', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs };
    expect(engineCandidates(options(env))[0]?.tls).toEqual({
      verify: true,
      ca: join(certs, 'ca.pem'),
      cert: join(certs, 'cert.pem'),
      key: join(certs, 'key.pem'),
    });
  });

  it('uses the default named pipe on Windows', () => {
    expect(engineCandidates(options({}, { platform: 'win32' })).map((candidate) => candidate.host)).toEqual([
      'npipe:////./pipe/docker_engine',
    ]);
  });
});

describe('discoverEngine', () => {
  it('takes DOCKER_HOST first, even when a context is selected and the default socket answers', async () => {
    const custom = await engineAt(join(base, 'custom.sock'));
    await engineAt(join(root, 'var', 'run', 'docker.sock'));
    const found = await discoverEngine(options({ DOCKER_HOST: custom, DOCKER_CONTEXT: 'does-not-exist' }));
    expect(found.endpoint).toMatchObject({ host: custom, source: 'DOCKER_HOST', explicit: true });
    expect(found.tried).toEqual([]);
  });

  it("takes stigmer's own host setting before DOCKER_HOST", async () => {
    const mine = await engineAt(join(base, 'mine.sock'));
    const other = await engineAt(join(base, 'other.sock'));
    const found = await discoverEngine(
      options({ DOCKER_HOST: other }, { host: mine, hostSource: 'the --docker-host flag' }),
    );
    expect(found.endpoint).toMatchObject({ host: mine, source: 'the --docker-host flag' });
  });

  it('does not fall back from a dead DOCKER_HOST to sockets that answer', async () => {
    await engineAt(join(root, 'var', 'run', 'docker.sock'));
    await engineAt(join(home, '.colima', 'default', 'docker.sock'));
    const dead = `unix://${join(base, 'gone.sock')}`;
    const error = await unreachable(discoverEngine(options({ DOCKER_HOST: dead })));
    expect(triedOf(error)).toEqual([
      expect.objectContaining({ host: dead, source: 'DOCKER_HOST', failure: 'missing' }),
    ]);
    expect(error.message).toContain('DOCKER_HOST is set to');
  });

  it('reads the DOCKER_CONTEXT endpoint from contexts/meta/<sha256(name)>/meta.json under DOCKER_CONFIG', async () => {
    const configDir = join(base, 'cfg');
    const host = await engineAt(join(base, 'ctx.sock'));
    writeContext(configDir, 'colima', host);
    await engineAt(join(root, 'var', 'run', 'docker.sock'));
    const found = await discoverEngine(options({ DOCKER_CONTEXT: 'colima', DOCKER_CONFIG: configDir }));
    expect(found.endpoint).toMatchObject({
      host,
      source: 'docker context "colima" (DOCKER_CONTEXT)',
      explicit: true,
    });
  });

  it("uses config.json's currentContext from ~/.docker when no variable selects one", async () => {
    const configDir = join(home, '.docker');
    const host = await engineAt(join(base, 'orb.sock'));
    writeContext(configDir, 'orbstack', host);
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'orbstack' }));
    const found = await discoverEngine(options());
    expect(found.endpoint.host).toBe(host);
    expect(found.endpoint.source).toBe(`docker context "orbstack" (${join(configDir, 'config.json')})`);
  });

  it('does not fall back from a selected context whose engine is down', async () => {
    const configDir = join(base, 'cfg');
    const dead = `unix://${join(base, 'dead-ctx.sock')}`;
    writeContext(configDir, 'remote', dead);
    await engineAt(join(root, 'var', 'run', 'docker.sock'));
    const error = await unreachable(
      discoverEngine(options({ DOCKER_CONTEXT: 'remote', DOCKER_CONFIG: configDir })),
    );
    expect(triedOf(error)).toHaveLength(1);
    expect(error.message).toContain('The docker context "remote" is selected (by DOCKER_CONTEXT)');
  });

  it('names an unknown context in its error, with where it was selected', async () => {
    const error = await unreachable(discoverEngine(options({ DOCKER_CONTEXT: 'nope' })));
    expect(error.message).toContain('Docker context "nope" (selected by DOCKER_CONTEXT) does not exist');
    expect(error.message).toContain('docker context ls');
    expect(error.details).toMatchObject({ context: 'nope', selectedBy: 'DOCKER_CONTEXT' });
  });

  it('treats the "default" context as the default socket and the usual places', async () => {
    const configDir = join(home, '.docker');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ currentContext: 'default' }));
    const colima = await engineAt(join(home, '.colima', 'default', 'docker.sock'));
    const found = await discoverEngine(options());
    expect(found.endpoint).toMatchObject({ host: colima, source: 'Colima socket', explicit: false });
  });

  it('finds Colima when the default and Docker Desktop sockets are missing, and says what it passed over', async () => {
    const colima = await engineAt(join(home, '.colima', 'default', 'docker.sock'));
    const found = await discoverEngine(options());
    expect(found.endpoint.host).toBe(colima);
    expect(found.tried.map((tried) => [tried.source, tried.failure])).toEqual([
      ['default socket', 'missing'],
      ['Docker Desktop socket', 'missing'],
      ['Docker Desktop socket', 'missing'],
    ]);
    expect(found.tried[0]).toMatchObject({
      host: `unix://${join(root, 'var', 'run', 'docker.sock')}`,
      detail: 'no socket file there',
    });
  });

  it('finds the Podman socket under XDG_RUNTIME_DIR', async () => {
    const runtime = join(base, 'xdg');
    const podman = await engineAt(join(runtime, 'podman', 'podman.sock'));
    const found = await discoverEngine(options({ XDG_RUNTIME_DIR: runtime }));
    expect(found.endpoint).toMatchObject({ host: podman, source: 'Podman socket' });
  });

  it('finds the rootful Podman socket and the Podman machine socket', async () => {
    const rootful = await engineAt(join(root, 'run', 'podman', 'podman.sock'));
    expect((await discoverEngine(options())).endpoint.host).toBe(rootful);
    const machine = join(home, '.local/share/containers/podman/machine/podman-machine-default/podman.sock');
    const other = mkdtempSync('/tmp/sd-');
    cleanups.push(() => rmSync(other, { recursive: true, force: true }));
    const host = await engineAt(machine);
    const found = await discoverEngine(options({}, { rootDir: other }));
    expect(found.endpoint).toMatchObject({ host, source: 'Podman machine socket' });
  });

  it('tells a refused socket, a silent one and a file that is no socket apart, then goes on', async () => {
    await deadSocketAt(join(root, 'var', 'run', 'docker.sock'));
    await silentAt(join(home, '.docker', 'run', 'docker.sock'));
    mkdirSync(join(home, '.docker', 'desktop'), { recursive: true });
    writeFileSync(join(home, '.docker', 'desktop', 'docker.sock'), 'not a socket');
    const orb = await engineAt(join(home, '.orbstack', 'run', 'docker.sock'));
    const found = await discoverEngine(options({}, { probeTimeoutMs: 200 }));
    expect(found.endpoint.host).toBe(orb);
    expect(found.tried.map((tried) => tried.failure)).toEqual([
      'refused',
      'timeout',
      'not-a-socket',
      'missing',
      'missing',
    ]);
    expect(found.tried[1]?.detail).toContain('within 200 ms');
  });

  it('lists every candidate with its reason when nothing answers', async () => {
    const error = await unreachable(discoverEngine(options()));
    const tried = triedOf(error);
    expect(tried).toHaveLength(engineCandidates(options()).length);
    expect(tried.every((entry) => entry.failure === 'missing')).toBe(true);
    expect(error.message.split('\n')[0]).toBe('Docker is not running. Agent-runner requires Docker.');
  });

  it('passes over a socket that answers /version with something other than 2xx', async () => {
    await engineAt(join(root, 'var', 'run', 'docker.sock'), 503);
    const rd = await engineAt(join(home, '.rd', 'docker.sock'));
    const found = await discoverEngine(options());
    expect(found.endpoint.host).toBe(rd);
    expect(found.tried[0]).toMatchObject({ failure: 'unexpected-answer' });
    expect(found.tried[0]?.detail).toContain('HTTP 503');
  });
});

describe('probeEndpoint', () => {
  it('asks a tcp:// engine on loopback for its version over plain HTTP, and reads its platform', async () => {
    const server = createHttpServer((request, response) => {
      response.end(request.url === '/version' ? '{"Os":"linux","Arch":"x86_64"}' : '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as { port: number };
    const result = await probeEndpoint({
      host: `tcp://127.0.0.1:${port}`,
      source: 'DOCKER_HOST',
      explicit: true,
    });
    expect(result).toEqual({ ok: true, platform: 'linux/amd64' });
  });

  it('reports a closed loopback port as refused', async () => {
    const server = createNetServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const result = await probeEndpoint({
      host: `tcp://127.0.0.1:${port}`,
      source: 'DOCKER_HOST',
      explicit: true,
    });
    expect(result).toMatchObject({ ok: false, failure: 'refused' });
  });

  it('refuses schemes it cannot speak', async () => {
    const result = await probeEndpoint({ host: 'http://127.0.0.1:1', source: 'DOCKER_HOST', explicit: true });
    expect(result).toMatchObject({ ok: false, failure: 'unsupported' });
  });

  it('maps connection error codes to failure kinds (EACCES is permission denied)', () => {
    const kinds = ['ENOENT', 'ECONNREFUSED', 'EACCES', 'EPERM', 'ENOTSOCK', 'ETIMEDOUT', 'EPIPE'].map(
      (code) => classifyConnectionError(Object.assign(new Error(code), { code })),
    );
    expect(kinds).toEqual([
      'missing',
      'refused',
      'permission-denied',
      'permission-denied',
      'not-a-socket',
      'timeout',
      'error',
    ]);
  });
});
