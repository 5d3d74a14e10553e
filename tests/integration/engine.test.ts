import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerEngine } from '../../packages/core/src/engine/docker-engine.js';
import type { PullEvent } from '../../packages/core/src/engine/types.js';
import { EngineError, InterruptedError } from '../../packages/core/src/errors.js';
import type { HarnessInfo } from './harness/context.js';

/**
 * DockerEngine against the real engine: what the unit tests' fake cannot
 * show is how the engine itself answers (404 bodies, errors in the pull
 * stream, 304 on stop, multiplexed logs). A tiny registry on loopback serves
 * images whose blobs are fine, corrupt or stalled; a busybox image is
 * imported locally for the container round trip.
 */

// The harness's engine when run in the integration project, else DOCKER_HOST or the default socket.
const harness = inject('harness') as HarnessInfo | undefined;
const env = harness ? { ...process.env, DOCKER_HOST: harness.dockerHost } : { ...process.env };
const engine = new DockerEngine({ env });

const run = randomBytes(4).toString('hex');
const BUSYBOX_IMAGE = `stigmer-engine-test/busybox:${run}`;
const work = mkdtempSync(join(tmpdir(), 'stigmer-engine-'));
const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A one-file tar archive, enough for an image layer. */
function tarWithFile(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padded = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(padded);
  return Buffer.concat([header, padded, Buffer.alloc(1024)]);
}

type BlobMode = 'ok' | 'corrupt' | 'stall';

/**
 * A registry on 127.0.0.1 serving `<mode>/app:1` for each mode: one layer per
 * mode (distinct content, so the engine never reuses one across modes), with
 * the layer blob served intact, with a flipped byte, or stalled after 10 bytes.
 */
async function startFakeRegistry(): Promise<{
  host: string;
  digests: Record<BlobMode, string>;
  stop: () => Promise<void>;
}> {
  const images = new Map<string, { manifest: Buffer; blobs: Map<string, Buffer>; layer: string }>();
  const digests = {} as Record<BlobMode, string>;
  for (const mode of ['ok', 'corrupt', 'stall'] as const) {
    const layerTar = tarWithFile('hello', `hello from ${mode} ${run}\n`);
    const layer = gzipSync(layerTar);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
        config: {},
      }),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: config.length,
          digest: sha256(config),
        },
        layers: [
          {
            mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
            size: layer.length,
            digest: sha256(layer),
          },
        ],
      }),
    );
    digests[mode] = sha256(manifest);
    images.set(mode, {
      manifest,
      blobs: new Map([
        [sha256(config), config],
        [sha256(layer), layer],
      ]),
      layer: sha256(layer),
    });
  }

  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const url = request.url ?? '';
    if (url === '/v2/') return void response.end('{}');
    const match = /^\/v2\/(ok|corrupt|stall)\/app\/(manifests|blobs)\/(.+)$/.exec(url);
    const image = match ? images.get(match[1] as string) : undefined;
    if (!match || !image) {
      response.writeHead(404, { 'Content-Type': 'application/json' });
      return void response.end(
        JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known' }] }),
      );
    }
    if (match[2] === 'manifests') {
      response.writeHead(200, {
        'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json',
        'Docker-Content-Digest': sha256(image.manifest),
        'Content-Length': image.manifest.length,
      });
      return void response.end(request.method === 'HEAD' ? undefined : image.manifest);
    }
    const blob = image.blobs.get(match[3] as string);
    if (!blob) {
      response.writeHead(404);
      return void response.end();
    }
    response.writeHead(200, { 'Content-Length': blob.length });
    if (match[3] === image.layer && match[1] === 'corrupt') {
      const bad = Buffer.from(blob);
      bad[bad.length - 10] = (bad[bad.length - 10] ?? 0) ^ 0xff;
      return void response.end(bad);
    }
    if (match[3] === image.layer && match[1] === 'stall') {
      // Headers and a few bytes, then nothing: the engine has no read timeout.
      return void response.write(blob.subarray(0, 10));
    }
    response.end(blob);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    digests,
    // Stalled transfers are torn down here, or the engine would wait on them for ever.
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Imports a static busybox with a few applet links as `BUSYBOX_IMAGE`. */
async function importBusybox(): Promise<void> {
  const root = join(work, 'rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  mkdirSync(join(root, 'data'));
  mkdirSync(join(root, 'tmp'));
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  for (const applet of ['sh', 'echo', 'cat', 'sleep', 'env'])
    symlinkSync('busybox', join(root, 'bin', applet));
  const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const docker = await engine.client();
  const [repo, tag] = BUSYBOX_IMAGE.split(':') as [string, string];
  const output = await docker.importImage(tar.stdout, { repo, tag });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(output, (error: Error | null, events: Array<{ error?: string }>) => {
      const failed = events.find((event) => event.error);
      if (error || failed) reject(error ?? new Error(failed?.error));
      else resolve();
    });
  });
  cleanups.push(() => engine.removeImage(BUSYBOX_IMAGE, { force: true }));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

let registry: Awaited<ReturnType<typeof startFakeRegistry>>;

beforeAll(async () => {
  registry = await startFakeRegistry();
  cleanups.push(() => registry.stop());
  await importBusybox();
});

describe('DockerEngine on the real engine', () => {
  it('connects through discovery and reports the platform the engine runs, linux/amd64 on x64', async () => {
    const endpoint = await engine.connect();
    expect(endpoint.host).toMatch(/^(unix|tcp):\/\//);
    const expected = { x64: 'linux/amd64', arm64: 'linux/arm64' }[process.arch as 'x64' | 'arm64'];
    expect(await engine.platform()).toBe(expected);
  });

  it('answers undefined when inspecting an image the engine does not have', async () => {
    expect(await engine.inspectImage(`stigmer-engine-test/missing:${run}`)).toBeUndefined();
  });

  it('inspects the imported image, tags it with a registry-with-port name, and removes that name', async () => {
    const image = await engine.inspectImage(BUSYBOX_IMAGE);
    expect(image).toMatchObject({ repoTags: [BUSYBOX_IMAGE], platform: await engine.platform() });
    const target = `127.0.0.1:5999/stigmer-engine-test/tagged:${run}`;
    await engine.tag(BUSYBOX_IMAGE, target);
    expect((await engine.inspectImage(target))?.id).toBe(image?.id);
    await engine.removeImage(target);
    expect(await engine.inspectImage(target)).toBeUndefined();
    expect(await engine.inspectImage(BUSYBOX_IMAGE)).toBeDefined();
    // Missing is not an error.
    await engine.removeImage(target);
  });

  it('pulls from a registry, reporting typed events and the digest', async () => {
    const reference = `${registry.host}/ok/app:1`;
    cleanups.push(() => engine.removeImage(reference, { force: true }));
    const events: PullEvent[] = [];
    const result = await engine.pull(reference, { onEvent: (event) => events.push(event) });
    expect(result).toEqual({ reference, digest: registry.digests.ok });
    expect(events.some((event) => event.type === 'layer' && event.status === 'Pull complete')).toBe(true);
    expect(events).toContainEqual({ type: 'digest', digest: registry.digests.ok });
    expect(await engine.inspectImage(reference)).toMatchObject({
      repoDigests: [`${registry.host}/ok/app@${registry.digests.ok}`],
    });
  });

  it('rejects a pull from a registry that is not there with ENGINE_FAILED and the status code', async () => {
    const reference = `127.0.0.1:${await closedPort()}/nothing/here:1`;
    const error = await rejection(engine.pull(reference));
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'ENGINE_FAILED', details: { reference, statusCode: 500 } });
    expect((error as Error).message).toContain('connection refused');
  });

  it('rejects a pull whose stream reports an error (a corrupt layer), though the HTTP request succeeded', async () => {
    const reference = `${registry.host}/corrupt/app:1`;
    const events: PullEvent[] = [];
    const error = await rejection(engine.pull(reference, { onEvent: (event) => events.push(event) }));
    expect(error).toMatchObject({ code: 'ENGINE_FAILED', details: { reference } });
    expect((error as Error).message).toContain('filesystem layer verification failed');
    expect(events.some((event) => event.type === 'layer')).toBe(true);
    expect(await engine.inspectImage(reference)).toBeUndefined();
  });

  it('stops waiting on a stalled pull when the signal aborts, with the InterruptedError given', async () => {
    const reference = `${registry.host}/stall/app:1`;
    const controller = new AbortController();
    const reason = new InterruptedError('SIGINT');
    const pulling = engine.pull(reference, {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'layer' && event.status === 'Downloading') controller.abort(reason);
      },
    });
    const timer = setTimeout(() => controller.abort(reason), 5000);
    expect(await rejection(pulling)).toBe(reason);
    clearTimeout(timer);
  });

  it('runs a container through create, start, inspect, list, logs, stop and remove', async () => {
    const name = `stigmer-engine-test-${run}`;
    const mounted = join(work, 'mounted');
    mkdirSync(mounted);
    writeFileSync(join(mounted, 'file'), 'from the host\n');
    cleanups.push(() => engine.removeContainer(name, { force: true }));

    const id = await engine.createContainer({
      name,
      image: BUSYBOX_IMAGE,
      env: { GREETING: 'world', TOKEN: 'not-printed' },
      labels: { 'dev.stigmer.test': run },
      mounts: [{ source: mounted, target: '/data', readOnly: true }],
      networkMode: 'none',
      restartPolicy: 'no',
      init: true,
      command: ['sh', '-c', 'echo "hello $GREETING"; echo oops >&2; cat /data/file; exec sleep 300'],
      log: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
      secretEnv: ['TOKEN'],
    });
    expect(await engine.inspectContainer(name)).toMatchObject({ id, name, state: 'created' });

    await engine.startContainer(id);
    const running = await engine.inspectContainer(id);
    expect(running).toMatchObject({
      state: 'running',
      image: BUSYBOX_IMAGE,
      labels: { 'dev.stigmer.test': run },
    });
    expect(running?.env).toContain('GREETING=world');
    expect(running?.health).toBeUndefined();
    expect(
      (await engine.listContainers({ 'dev.stigmer.test': run })).map((container) => container.id),
    ).toEqual([id]);

    const text = await waitFor('the container output', async () => {
      const logs = await readAll(await engine.logs(id, { follow: false }));
      return logs.includes('from the host') ? logs : undefined;
    });
    // stdout and stderr are copied separately by the engine: their relative order is not fixed.
    const lines = text.split('\n').filter(Boolean);
    expect([...lines].sort()).toEqual(['from the host', 'hello world', 'oops']);
    expect(lines.indexOf('hello world')).toBeLessThan(lines.indexOf('from the host'));
    expect(await readAll(await engine.logs(id, { follow: false, tail: 1 }))).toBe(`${lines.at(-1)}\n`);

    // Following: the stream stays open until the signal aborts it.
    const controller = new AbortController();
    const followed = await engine.logs(id, { follow: true, signal: controller.signal });
    let seen = '';
    followed.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('from the host')) controller.abort();
    });
    await new Promise((resolve) => followed.on('end', resolve));
    expect(seen).toContain('hello world');

    const started = Date.now();
    await engine.stopContainer(id, 10);
    expect(Date.now() - started).toBeLessThan(5000); // Init: the shell's PID 1 gets the signal.
    await engine.stopContainer(id, 10); // already stopped: not an error
    await engine.killContainer(id); // not running: not an error
    expect((await engine.inspectContainer(id))?.state).toBe('exited');

    await engine.removeContainer(id);
    expect(await engine.inspectContainer(id)).toBeUndefined();
    await engine.removeContainer(id); // missing: not an error
  });

  it('reports a create of an image that does not exist as ENGINE_FAILED with status 404', async () => {
    const error = await rejection(
      engine.createContainer({
        name: `stigmer-engine-test-none-${run}`,
        image: `stigmer-engine-test/missing:${run}`,
        env: {},
        labels: {},
        mounts: [],
      }),
    );
    expect(error).toMatchObject({ code: 'ENGINE_FAILED', details: { statusCode: 404 } });
    expect((error as Error).message).toContain('No such image');
  });

  it('says the engine is unreachable, with what was tried, when DOCKER_HOST points nowhere', async () => {
    const nowhere = new DockerEngine({
      env: { DOCKER_HOST: `unix://${join(work, 'no.sock')}` },
      homeDir: work,
    });
    const error = await rejection(nowhere.inspectImage(BUSYBOX_IMAGE));
    expect(error).toMatchObject({ code: 'ENGINE_UNREACHABLE' });
    expect((error as Error).message).toContain(
      `unix://${join(work, 'no.sock')} (DOCKER_HOST): no socket file there`,
    );
  });
});
