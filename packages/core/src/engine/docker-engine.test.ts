import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError, InterruptedError } from '../errors.js';
import { DockerEngine } from './docker-engine.js';
import { dockerodeOptions } from './dockerode-options.js';
import { splitRepoTag, toContainerInfo, toCreateOptions, toImageInfo } from './mappers.js';
import type { ContainerSpec } from './types.js';

/**
 * DockerEngine against a small fake Engine API on a unix socket: enough to
 * check what is sent and how answers map, without a real engine (the
 * integration tests cover the real one).
 */

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

type Route = (request: Seen, response: ServerResponse, raw: IncomingMessage) => void;

let dir: string;
let server: Server;
let socket: string;
let seen: Seen[];
let routes: Array<[string, RegExp, Route]>;
const open = new Set<ServerResponse>();

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
};
const route = (method: string, path: RegExp, handler: Route) => routes.push([method, path, handler]);

beforeEach(async () => {
  dir = mkdtempSync('/tmp/de-');
  socket = join(dir, 'docker.sock');
  seen = [];
  routes = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://engine');
      const entry: Seen = {
        method: request.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers: request.headers,
        body,
      };
      seen.push(entry);
      if (entry.path === '/version' && !routes.some(([, path]) => path.test('/version')))
        return void json(response, 200, { ApiVersion: '1.41' });
      const match = routes.find(([method, path]) => method === entry.method && path.test(entry.path));
      if (!match) return json(response, 404, { message: `no route for ${entry.method} ${entry.path}` });
      open.add(response);
      response.on('close', () => open.delete(response));
      match[2](entry, response, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});

afterEach(async () => {
  for (const response of open) response.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const engine = () => new DockerEngine({ env: { DOCKER_HOST: `unix://${socket}` }, homeDir: dir });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** One frame of the engine's multiplexed log stream. */
const frame = (stream: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

describe('mapping helpers', () => {
  it('splits tag targets at the last colon after the last slash, so registry ports stay in the name', () => {
    expect(splitRepoTag('127.0.0.1:5000/a/b:tag')).toEqual({ repo: '127.0.0.1:5000/a/b', tag: 'tag' });
    expect(splitRepoTag('127.0.0.1:5000/a/b')).toEqual({ repo: '127.0.0.1:5000/a/b', tag: 'latest' });
    expect(splitRepoTag('stigmer-agent-runner:local')).toEqual({
      repo: 'stigmer-agent-runner',
      tag: 'local',
    });
    expect(() => splitRepoTag(`a/b@sha256:${'c'.repeat(64)}`)).toThrow(EngineError);
  });

  it('trims image inspect output to ImageInfo, platform with variant', () => {
    const info = toImageInfo({
      Id: 'sha256:1',
      RepoTags: ['a:1'],
      RepoDigests: null as unknown as string[],
      Os: 'linux',
      Architecture: 'arm',
      Variant: 'v7',
      Config: { Labels: { x: 'y' } },
      Created: '2026-01-01T00:00:00Z',
      Size: 42,
    } as never);
    expect(info).toEqual({
      id: 'sha256:1',
      repoTags: ['a:1'],
      repoDigests: [],
      platform: 'linux/arm/v7',
      labels: { x: 'y' },
      created: '2026-01-01T00:00:00Z',
      sizeBytes: 42,
    });
  });

  it("reads an image's HEALTHCHECK in nanoseconds, leaving out unset durations, and none for NONE", () => {
    const base = { Id: 'sha256:1', Os: 'linux', Architecture: 'amd64', Created: '', Size: 1 };
    const check = { Test: ['CMD-SHELL', 'true'], Interval: 7e9, Timeout: 3e9, StartPeriod: 0, Retries: 4 };
    expect(toImageInfo({ ...base, Config: { Healthcheck: check } } as never).healthcheck).toEqual({
      test: ['CMD-SHELL', 'true'],
      intervalNs: 7e9,
      timeoutNs: 3e9,
      startPeriodNs: undefined,
      startIntervalNs: undefined,
      retries: 4,
    });
    const none = { ...base, Config: { Healthcheck: { Test: ['NONE'] } } };
    expect(toImageInfo(none as never)).not.toHaveProperty('healthcheck');
  });

  it('trims container inspect output to ContainerInfo, with health only when there is a health check', () => {
    const inspect = {
      Id: 'abc',
      Name: '/stigmer-agent-runner',
      Image: 'sha256:img',
      RestartCount: 2,
      State: { Status: 'running', StartedAt: '2026-01-01T00:00:00Z', Health: { Status: 'healthy' } },
      Config: { Image: 'stigmer-agent-runner:local', Labels: null, Env: ['A=1'] },
    };
    expect(toContainerInfo(inspect as never)).toEqual({
      id: 'abc',
      name: 'stigmer-agent-runner',
      image: 'stigmer-agent-runner:local',
      imageId: 'sha256:img',
      state: 'running',
      health: 'healthy',
      startedAt: '2026-01-01T00:00:00Z',
      restartCount: 2,
      labels: {},
      env: ['A=1'],
      exitCode: 0,
      finishedAt: '',
      error: '',
      user: '',
      restartPolicy: '',
      networkMode: '',
      mounts: [],
      hasHealthcheck: false,
      healthOutput: undefined,
    });
    const noCheck = { ...inspect, State: { ...inspect.State, Health: { Status: 'none' } } };
    expect(toContainerInfo(noCheck as never).health).toBeUndefined();
  });

  it('reports the restart policy, mounts, user and health check of a container', () => {
    const inspect = {
      Id: 'abc',
      Name: '/x',
      Image: 'sha256:img',
      State: {
        Status: 'exited',
        ExitCode: 3,
        FinishedAt: '2026-01-01T00:00:01Z',
        Error: '',
        Health: { Status: 'unhealthy', Log: [{ Output: 'first' }, { Output: 'refused\n' }] },
      },
      Config: { Image: 'i', User: 'nobody', Healthcheck: { Test: ['CMD', 'true'] } },
      HostConfig: { RestartPolicy: { Name: 'unless-stopped' }, NetworkMode: 'host' },
      Mounts: [
        { Type: 'bind', Source: '/data/workspace', Destination: '/workspace', RW: true },
        {
          Type: 'volume',
          Name: 'cache',
          Source: '/var/lib/docker/volumes/cache/_data',
          Destination: '/c',
          RW: false,
        },
      ],
    };
    expect(toContainerInfo(inspect as never)).toMatchObject({
      state: 'exited',
      exitCode: 3,
      user: 'nobody',
      restartPolicy: 'unless-stopped',
      networkMode: 'host',
      mounts: [
        { source: '/data/workspace', target: '/workspace', readOnly: false },
        { source: 'cache', target: '/c', readOnly: true },
      ],
      hasHealthcheck: true,
      health: 'unhealthy',
      healthOutput: 'refused',
    });
    const disabled = { ...inspect, Config: { ...inspect.Config, Healthcheck: { Test: ['NONE'] } } };
    expect(toContainerInfo(disabled as never).hasHealthcheck).toBe(false);
  });

  it('maps a ContainerSpec to the Engine API create options', () => {
    const spec: ContainerSpec = {
      name: 'stigmer-agent-runner',
      image: 'stigmer-agent-runner:local',
      env: { MODE: 'local', TASK_QUEUE: 'agent_execution_runner' },
      labels: { 'dev.stigmer.role': 'agent-runner' },
      mounts: [
        { source: '/home/me/.stigmer/data/workspace', target: '/workspace' },
        { source: 'cache', target: '/cache', readOnly: true },
        { source: '/odd:path', target: '/odd' },
      ],
      networkMode: 'host',
      restartPolicy: 'unless-stopped',
      user: '1000',
      command: ['python', '-m', 'runner'],
      init: true,
      log: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
    };
    expect(toCreateOptions(spec)).toEqual({
      name: 'stigmer-agent-runner',
      Image: 'stigmer-agent-runner:local',
      Env: ['MODE=local', 'TASK_QUEUE=agent_execution_runner'],
      Labels: { 'dev.stigmer.role': 'agent-runner' },
      User: '1000',
      Cmd: ['python', '-m', 'runner'],
      HostConfig: {
        Binds: ['/home/me/.stigmer/data/workspace:/workspace', 'cache:/cache:ro'],
        Mounts: [{ Type: 'bind', Source: '/odd:path', Target: '/odd', ReadOnly: false }],
        NetworkMode: 'host',
        RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
        Init: true,
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
      },
    });
  });

  it('gives dockerode every connection field explicitly, so process.env cannot redirect it', () => {
    expect(dockerodeOptions({ host: 'unix:///x.sock', source: 's', explicit: true }, {})).toMatchObject({
      socketPath: '/x.sock',
      host: undefined,
      protocol: 'http',
    });
    expect(dockerodeOptions({ host: 'tcp://127.0.0.1:2375', source: 's', explicit: true }, {})).toMatchObject(
      {
        host: '127.0.0.1',
        port: '2375',
        protocol: 'http',
      },
    );
    expect(dockerodeOptions({ host: 'ssh://me@box:2222', source: 's', explicit: true }, {})).toMatchObject({
      host: 'box',
      port: '2222',
      protocol: 'ssh',
      username: 'me',
    });
  });
});

describe('DockerEngine against a fake Engine API', () => {
  it('connects once to DOCKER_HOST and reports where it found the engine', async () => {
    const docker = engine();
    expect(await docker.connect()).toEqual({ host: `unix://${socket}`, source: 'DOCKER_HOST' });
    await docker.connect();
    expect(seen.filter((request) => request.path === '/version')).toHaveLength(1);
  });

  it('reads the platform from the version call', async () => {
    route('GET', /^\/version$/, (_, response) => json(response, 200, { Os: 'linux', Arch: 'amd64' }));
    expect(await engine().platform()).toBe('linux/amd64');
  });

  it('answers undefined for a missing image (404) and ImageInfo for a present one', async () => {
    route('GET', /^\/images\/missing:1\/json$/, (_, response) =>
      json(response, 404, { message: 'No such image: missing:1' }),
    );
    route('GET', /^\/images\/present:1\/json$/, (_, response) =>
      json(response, 200, {
        Id: 'sha256:p',
        RepoTags: ['present:1'],
        Os: 'linux',
        Architecture: 'amd64',
        Size: 1,
      }),
    );
    const docker = engine();
    expect(await docker.inspectImage('missing:1')).toBeUndefined();
    expect(await docker.inspectImage('present:1')).toMatchObject({ id: 'sha256:p', platform: 'linux/amd64' });
  });

  it('turns other engine failures into ENGINE_FAILED with the engine text and the status', async () => {
    route('GET', /^\/images\/.*\/json$/, (_, response) => json(response, 500, { message: 'disk on fire' }));
    const error = await rejection(engine().inspectImage('x:1'));
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({
      code: 'ENGINE_FAILED',
      message: 'Docker engine could not inspect image x:1: disk on fire',
      details: { statusCode: 500 },
    });
  });

  it('tags with repo and tag split correctly for a registry with a port', async () => {
    route('POST', /^\/images\/.*\/tag$/, (_, response) => {
      response.writeHead(201);
      response.end();
    });
    await engine().tag('sha256:abc', '127.0.0.1:5000/a/b:tag');
    const request = seen.find((entry) => entry.path.endsWith('/tag'));
    expect(request?.path).toBe('/images/sha256:abc/tag');
    expect(Object.fromEntries(request?.query ?? [])).toEqual({ repo: '127.0.0.1:5000/a/b', tag: 'tag' });
  });

  it('ignores 404 when removing images and containers', async () => {
    route('DELETE', /^\/images\//, (_, response) => json(response, 404, { message: 'No such image' }));
    route('DELETE', /^\/containers\//, (_, response) =>
      json(response, 404, { message: 'No such container' }),
    );
    const docker = engine();
    await docker.removeImage('gone:1', { force: true });
    await docker.removeContainer('gone');
    expect(
      seen.find((entry) => entry.method === 'DELETE' && entry.path.startsWith('/images'))?.query.get('force'),
    ).toBe('true');
  });

  it('treats stopping a stopped container (304) and killing one that is not running (409) as done', async () => {
    route('POST', /^\/containers\/c1\/stop$/, (_, response) => {
      response.writeHead(304);
      response.end();
    });
    route('POST', /^\/containers\/c1\/kill$/, (_, response) =>
      json(response, 409, { message: 'Container c1 is not running' }),
    );
    const docker = engine();
    await docker.stopContainer('c1', 7);
    await docker.killContainer('c1');
    expect(seen.find((entry) => entry.path.endsWith('/stop'))?.query.get('t')).toBe('7');
  });

  it('creates containers from the spec and reports a name conflict as ENGINE_FAILED (409)', async () => {
    route('POST', /^\/containers\/create$/, (request, response) => {
      if (request.query.get('name') === 'taken') {
        return json(response, 409, { message: 'Conflict. The container name "/taken" is already in use' });
      }
      json(response, 201, { Id: 'new-id', Warnings: [] });
    });
    const docker = engine();
    const spec: ContainerSpec = {
      name: 'fresh',
      image: 'img:1',
      env: { SECRET: 'hunter2' },
      labels: {},
      mounts: [],
      secretEnv: ['SECRET'],
    };
    expect(await docker.createContainer(spec)).toBe('new-id');
    expect(JSON.parse(seen.at(-1)?.body ?? '{}')).toMatchObject({ Image: 'img:1', Env: ['SECRET=hunter2'] });
    const error = await rejection(docker.createContainer({ ...spec, name: 'taken' }));
    expect(error).toMatchObject({ code: 'ENGINE_FAILED', details: { statusCode: 409 } });
    expect((error as Error).message).toContain('already in use');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('lists containers by label filter and inspects each', async () => {
    route('GET', /^\/containers\/json$/, (_, response) =>
      json(response, 200, [{ Id: 'c1' }, { Id: 'gone' }]),
    );
    route('GET', /^\/containers\/c1\/json$/, (_, response) =>
      json(response, 200, {
        Id: 'c1',
        Name: '/one',
        Image: 'sha256:i',
        RestartCount: 0,
        State: { Status: 'exited', StartedAt: '' },
        Config: { Image: 'img', Labels: { a: 'b' }, Env: [] },
      }),
    );
    route('GET', /^\/containers\/gone\/json$/, (_, response) =>
      json(response, 404, { message: 'No such container' }),
    );
    const list = await engine().listContainers({ a: 'b' });
    expect(list.map((info) => [info.id, info.state])).toEqual([['c1', 'exited']]);
    const request = seen.find((entry) => entry.path === '/containers/json');
    expect(request?.query.get('all')).toBe('true');
    expect(JSON.parse(request?.query.get('filters') ?? '{}')).toEqual({ label: ['a=b'] });
  });

  it('pulls with auth in the X-Registry-Auth header only, and keeps the status of an early rejection', async () => {
    route('POST', /^\/images\/create$/, (_, response) =>
      json(response, 404, { message: 'manifest unknown: manifest unknown' }),
    );
    const error = await rejection(
      engine().pull('127.0.0.1:5000/a/b:t', {
        auth: { username: 'me', password: 's3cret' },
        platform: 'linux/amd64',
      }),
    );
    expect(error).toMatchObject({
      code: 'ENGINE_FAILED',
      message: 'manifest unknown: manifest unknown',
      details: { reference: '127.0.0.1:5000/a/b:t', statusCode: 404 },
    });
    const request = seen.find((entry) => entry.path === '/images/create');
    expect(Object.fromEntries(request?.query ?? [])).toEqual({
      fromImage: '127.0.0.1:5000/a/b',
      tag: 't',
      platform: 'linux/amd64',
    });
    const header = String(request?.headers['x-registry-auth']);
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({
      username: 'me',
      password: 's3cret',
    });
    expect(JSON.stringify(error)).not.toContain('s3cret');
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('rejects a pull whose stream carries an error event', async () => {
    route('POST', /^\/images\/create$/, (_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write(`${JSON.stringify({ status: 'Pulling fs layer', id: 'aaaaaaaaaaaa' })}\n`);
      response.end(
        `${JSON.stringify({ errorDetail: { message: 'unauthorized' }, error: 'unauthorized' })}\n`,
      );
    });
    expect(await rejection(engine().pull('a:1'))).toMatchObject({
      code: 'ENGINE_FAILED',
      message: 'unauthorized',
    });
  });

  it('closes the HTTP request when the pull is aborted mid-stream', async () => {
    let closed!: () => void;
    const requestClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const controller = new AbortController();
    route('POST', /^\/images\/create$/, (_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write(`${JSON.stringify({ status: 'Downloading', id: 'aaaaaaaaaaaa' })}\n`);
      response.on('close', closed);
    });
    const pulling = engine().pull('slow:1', {
      signal: controller.signal,
      onEvent: () => controller.abort(new InterruptedError('SIGTERM')),
    });
    const error = await rejection(pulling);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).signal).toBe('SIGTERM');
    await requestClosed;
  });

  it('demultiplexes logs into one text stream and passes follow and tail', async () => {
    route('GET', /^\/containers\/c1\/json$/, (_, response) =>
      json(response, 200, { Id: 'c1', Config: { Tty: false } }),
    );
    route('GET', /^\/containers\/c1\/logs$/, (_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
      response.write(frame(1, 'out 1\n'));
      response.write(frame(2, 'err 1\n'));
      response.end(frame(1, 'out 2\n'));
    });
    const text = await readAll(await engine().logs('c1', { follow: false, tail: 50 }));
    expect(text).toBe('out 1\nerr 1\nout 2\n');
    const request = seen.find((entry) => entry.path.endsWith('/logs'));
    expect(Object.fromEntries(request?.query ?? [])).toMatchObject({
      follow: 'false',
      stdout: 'true',
      stderr: 'true',
      tail: '50',
    });
  });

  it('ends a followed log stream when the signal aborts, and closes the request', async () => {
    let closed!: () => void;
    const requestClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    route('GET', /^\/containers\/c1\/json$/, (_, response) =>
      json(response, 200, { Id: 'c1', Config: { Tty: false } }),
    );
    route('GET', /^\/containers\/c1\/logs$/, (_, response) => {
      response.writeHead(200);
      response.write(frame(1, 'first\n'));
      response.on('close', closed);
    });
    const controller = new AbortController();
    const stream = await engine().logs('c1', { follow: true, signal: controller.signal });
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      controller.abort();
    });
    await new Promise((resolve) => stream.on('end', resolve));
    expect(text).toBe('first\n');
    await requestClosed;
  });

  it('reports ENGINE_UNREACHABLE, with the endpoint, when the engine goes away after discovery', async () => {
    const docker = engine();
    await docker.connect();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer();
    const error = await rejection(docker.inspectImage('x:1'));
    expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE' });
    expect((error as Error).message).toContain(`unix://${socket} (DOCKER_HOST)`);
    // Reopen so afterEach can close something.
    await new Promise<void>((resolve) => server.listen(join(dir, 'other.sock'), resolve));
  });

  it('reports ENGINE_UNREACHABLE from discovery when DOCKER_HOST does not answer', async () => {
    const docker = new DockerEngine({
      env: { DOCKER_HOST: `unix://${join(dir, 'none.sock')}` },
      homeDir: dir,
    });
    const error = await rejection(docker.inspectImage('x'));
    expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE' });
    expect((error as Error).message.split('\n')[0]).toBe(
      'Docker is not running. Agent-runner requires Docker.',
    );
  });
});

describe('DockerEngine: every call has an end, and answers are checked', () => {
  const withOptions = (options: { callTimeoutMs?: number; signal?: AbortSignal }) =>
    new DockerEngine({ env: { DOCKER_HOST: `unix://${socket}` }, homeDir: dir, ...options });
  // A wedged engine: it takes the request and never answers.
  const wedge = () => route('GET', /^\/(images|containers)\//, () => {});

  it('gives up on a call the engine never answers: ENGINE_UNREACHABLE naming the call and engine.timeout', async () => {
    wedge();
    const error = await rejection(withOptions({ callTimeoutMs: 50 }).inspectImage('x:1'));
    expect(error).toMatchObject({
      code: 'ENGINE_UNREACHABLE',
      details: { operation: 'inspect image x:1', timeoutMs: 50 },
    });
    const message = (error as Error).message;
    expect(message).toContain(
      `The Docker engine at unix://${socket} (DOCKER_HOST) did not answer within 50ms`,
    );
    expect(message).toContain('"engine.timeout"');
    // The request itself is closed, not left open behind the error.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(open.size).toBe(0);
  });

  it('aborts the calls in flight on an interrupt, but still runs the clean-up calls made after it', async () => {
    wedge();
    route('DELETE', /^\/containers\/c1$/, (_, response) => {
      response.writeHead(204);
      response.end();
    });
    const controller = new AbortController();
    const docker = withOptions({ callTimeoutMs: 60_000, signal: controller.signal });
    const inspecting = docker.inspectContainer('c1');
    setTimeout(() => controller.abort(new InterruptedError('SIGINT')), 20);
    expect(await rejection(inspecting)).toBeInstanceOf(InterruptedError);
    await docker.removeContainer('c1', { force: true });
    expect(seen.some((request) => request.method === 'DELETE')).toBe(true);
  });

  it('reports an answer that is not JSON as ENGINE_FAILED, quoting it, with no stack of its own', async () => {
    route('GET', /^\/containers\/c1\/json$/, (_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{"Id": "x", broken');
    });
    route('GET', /^\/containers\/json$/, (_, response) => json(response, 200, { not: 'a list' }));
    const docker = engine();
    expect(await rejection(docker.inspectContainer('c1'))).toMatchObject({
      code: 'ENGINE_FAILED',
      message: expect.stringContaining('it answered with text that is not JSON ("{"Id": "x", broken")'),
    });
    expect(await rejection(docker.listContainers({ a: 'b' }))).toMatchObject({
      code: 'ENGINE_FAILED',
      message: expect.stringContaining('JSON that is not a list of objects with an Id'),
    });
  });

  it('sends no request for an empty or path-like container id: no such container can exist', async () => {
    const docker = engine();
    expect(await docker.inspectContainer('')).toBeUndefined();
    expect(await docker.inspectContainer('../../images/json?x=')).toBeUndefined();
    expect(await docker.inspectImage('a/../../b')).toBeUndefined();
    expect(await rejection(docker.startContainer('../x'))).toMatchObject({ code: 'ENGINE_FAILED' });
    expect(seen.filter((request) => request.path !== '/version')).toEqual([]);
  });
});
