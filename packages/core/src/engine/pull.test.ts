import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { EngineError, InterruptedError } from '../errors.js';
import { followPull, pullImage, pullQuery, toAuthConfig, toPullEvent } from './pull.js';
import type { PullEvent } from './types.js';

const line = (event: object) => `${JSON.stringify(event)}\n`;
const DIGEST = `sha256:${'b'.repeat(64)}`;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('toPullEvent', () => {
  it('maps layer progress, the tag line, plain status and the digest line', () => {
    expect(
      toPullEvent({ status: 'Downloading', id: '0123456789ab', progressDetail: { current: 10, total: 20 } }),
    ).toEqual({ type: 'layer', layer: '0123456789ab', status: 'Downloading', current: 10, total: 20 });
    expect(toPullEvent({ status: 'Pull complete', id: '0123456789ab', progressDetail: {} })).toEqual({
      type: 'layer',
      layer: '0123456789ab',
      status: 'Pull complete',
    });
    expect(toPullEvent({ status: 'Pulling from library/busybox', id: 'latest' })).toEqual({
      type: 'status',
      status: 'latest: Pulling from library/busybox',
    });
    expect(toPullEvent({ status: `Digest: ${DIGEST}` })).toEqual({ type: 'digest', digest: DIGEST });
    expect(toPullEvent({ status: 'Status: Downloaded newer image for busybox:latest' })).toEqual({
      type: 'status',
      status: 'Status: Downloaded newer image for busybox:latest',
    });
    expect(toPullEvent({})).toBeUndefined();
  });
});

describe('toAuthConfig', () => {
  it("renames stigmer's credential fields to the Engine API's and leaves out empty ones", () => {
    expect(
      toAuthConfig({
        username: 'u',
        password: 'p',
        serverAddress: 'ghcr.io',
        identityToken: '',
        registryToken: 'rt',
      }),
    ).toEqual({ username: 'u', password: 'p', serveraddress: 'ghcr.io', registrytoken: 'rt' });
    expect(toAuthConfig({ identityToken: 'it' })).toEqual({ identitytoken: 'it' });
  });
});

describe('pullQuery', () => {
  it.each([
    ['busybox', 'busybox', 'latest'],
    ['busybox:1.36', 'busybox', '1.36'],
    ['127.0.0.1:5000/a/b', '127.0.0.1:5000/a/b', 'latest'],
    ['127.0.0.1:5000/a/b:tag', '127.0.0.1:5000/a/b', 'tag'],
    [`ghcr.io/a/b@${DIGEST}`, 'ghcr.io/a/b', DIGEST],
    [`127.0.0.1:5000/a/b:v1@${DIGEST}`, '127.0.0.1:5000/a/b', DIGEST],
  ])(
    'splits %s into fromImage %s and tag %s (a digest wins, a port is no tag)',
    (reference, fromImage, tag) => {
      expect(pullQuery(reference)).toEqual({ fromImage, tag });
    },
  );
});

describe('followPull', () => {
  it('reports every event in order and resolves with the announced digest', async () => {
    const stream = new PassThrough();
    const events: PullEvent[] = [];
    const done = followPull(stream, 'busybox:latest', { onEvent: (event) => events.push(event) });
    stream.write(line({ status: 'Pulling from library/busybox', id: 'latest' }));
    stream.write(line({ status: 'Pulling fs layer', id: 'aaaaaaaaaaaa', progressDetail: {} }));
    // A JSON line split across chunks, one of them ending inside a multi-byte character.
    const split = Buffer.from(
      line({ status: 'Downloading é', id: 'aaaaaaaaaaaa', progressDetail: { current: 1, total: 2 } }),
    );
    const cut = split.indexOf(Buffer.from('é')) + 1;
    stream.write(split.subarray(0, cut));
    stream.write(split.subarray(cut));
    stream.write(line({ status: `Digest: ${DIGEST}` }));
    stream.end(JSON.stringify({ status: 'Status: Downloaded newer image for busybox:latest' }));
    await expect(done).resolves.toEqual({ reference: 'busybox:latest', digest: DIGEST });
    expect(events).toEqual([
      { type: 'status', status: 'latest: Pulling from library/busybox' },
      { type: 'layer', layer: 'aaaaaaaaaaaa', status: 'Pulling fs layer' },
      { type: 'layer', layer: 'aaaaaaaaaaaa', status: 'Downloading é', current: 1, total: 2 },
      { type: 'digest', digest: DIGEST },
      { type: 'status', status: 'Status: Downloaded newer image for busybox:latest' },
    ]);
  });

  it('rejects on an error event in the stream, with the engine text, and stops reading', async () => {
    const stream = new PassThrough();
    const events: PullEvent[] = [];
    const done = followPull(stream, '127.0.0.1:5000/app:1', { onEvent: (event) => events.push(event) });
    stream.write(line({ status: 'Pulling fs layer', id: 'aaaaaaaaaaaa', progressDetail: {} }));
    stream.write(
      line({
        errorDetail: { message: 'unexpected EOF' },
        error: 'unexpected EOF',
      }) + line({ status: 'never seen' }),
    );
    const error = await rejection(done);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({
      code: 'ENGINE_FAILED',
      message: 'unexpected EOF',
      details: { reference: '127.0.0.1:5000/app:1' },
    });
    expect(events).toHaveLength(1);
    expect(stream.destroyed).toBe(true);
  });

  it('keeps the code of an error event as statusCode', async () => {
    const stream = new PassThrough();
    const done = followPull(stream, 'x');
    stream.end(line({ errorDetail: { code: 404, message: 'manifest unknown' }, error: 'manifest unknown' }));
    expect(await rejection(done)).toMatchObject({
      message: 'manifest unknown',
      details: { reference: 'x', statusCode: 404 },
    });
  });

  it('rejects with the signal reason when it is an InterruptedError, and destroys the stream', async () => {
    const stream = new PassThrough();
    const controller = new AbortController();
    const done = followPull(stream, 'x', { signal: controller.signal });
    stream.write(line({ status: 'Pulling fs layer', id: 'aaaaaaaaaaaa' }));
    const reason = new InterruptedError('SIGTERM');
    controller.abort(reason);
    expect(await rejection(done)).toBe(reason);
    expect(stream.destroyed).toBe(true);
  });

  it('rejects with InterruptedError("SIGINT") for any other abort reason, even before the first byte', async () => {
    const controller = new AbortController();
    controller.abort(new Error('whatever'));
    const stream = new PassThrough();
    const error = await rejection(followPull(stream, 'x', { signal: controller.signal }));
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).signal).toBe('SIGINT');
    expect(stream.destroyed).toBe(true);
  });

  it('fails when the connection closes before the stream ended', async () => {
    const stream = new PassThrough();
    const done = followPull(stream, 'x');
    stream.write(line({ status: 'Downloading', id: 'aaaaaaaaaaaa' }));
    stream.destroy();
    expect(await rejection(done)).toMatchObject({ code: 'ENGINE_FAILED', details: { reference: 'x' } });
  });

  it('fails with the error of a consumer whose onEvent throws', async () => {
    const stream = new PassThrough();
    const boom = new Error('renderer broke');
    const done = followPull(stream, 'x', {
      onEvent: () => {
        throw boom;
      },
    });
    stream.write(line({ status: 'hello' }));
    expect(await rejection(done)).toBe(boom);
  });

  it('reads lines that are not JSON as status instead of crashing', async () => {
    const stream = new PassThrough();
    const events: PullEvent[] = [];
    const done = followPull(stream, 'x', { onEvent: (event) => events.push(event) });
    stream.end('<html>bad gateway</html>\n');
    await done;
    expect(events).toEqual([{ type: 'status', status: '<html>bad gateway</html>' }]);
  });
});

/** A dockerode stand-in whose createImage answers as told and records its arguments. */
function fakeDocker(answer: (auth: unknown, query: Record<string, unknown>) => Promise<unknown>) {
  const calls: Array<{ auth: unknown; query: Record<string, unknown> }> = [];
  const docker = {
    createImage(auth: unknown, query: Record<string, unknown>) {
      calls.push({ auth, query });
      return answer(auth, query);
    },
  } as unknown as Dockerode;
  return { docker, calls };
}

const mapError = (error: unknown, operation: string) =>
  new EngineError('ENGINE_UNREACHABLE', `mapped ${operation}`, { cause: error });

describe('pullImage', () => {
  it('sends auth as authconfig (header), platform in the query, and follows the stream', async () => {
    const { docker, calls } = fakeDocker(async () => {
      const stream = new PassThrough();
      stream.end(line({ status: `Digest: ${DIGEST}` }));
      return stream;
    });
    const result = await pullImage(docker, '127.0.0.1:5000/a/b:t', {
      auth: { username: 'u', password: 'p', serverAddress: '127.0.0.1:5000' },
      platform: 'linux/arm64',
      mapError,
    });
    expect(result).toEqual({ reference: '127.0.0.1:5000/a/b:t', digest: DIGEST });
    expect(calls).toEqual([
      {
        auth: { username: 'u', password: 'p', serveraddress: '127.0.0.1:5000' },
        query: {
          fromImage: '127.0.0.1:5000/a/b',
          tag: 't',
          platform: 'linux/arm64',
          abortSignal: expect.any(AbortSignal),
        },
      },
    ]);
  });

  it('keeps the HTTP status of a request the engine rejected before streaming', async () => {
    const { docker } = fakeDocker(async () => {
      throw Object.assign(new Error('(HTTP code 404) unexpected - pull access denied for x '), {
        statusCode: 404,
        json: {
          message: "pull access denied for x, repository does not exist or may require 'docker login'",
        },
      });
    });
    const error = await rejection(pullImage(docker, 'x', { mapError }));
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({
      code: 'ENGINE_FAILED',
      message: "pull access denied for x, repository does not exist or may require 'docker login'",
      details: { reference: 'x', statusCode: 404 },
    });
  });

  it('hands connection errors to the engine error mapper (engine unreachable)', async () => {
    const { docker } = fakeDocker(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' });
    });
    expect(await rejection(pullImage(docker, 'x', { mapError }))).toMatchObject({
      code: 'ENGINE_UNREACHABLE',
      message: 'mapped pull x',
    });
  });

  it('does not call the engine when the signal is already aborted', async () => {
    const { docker, calls } = fakeDocker(async () => new PassThrough());
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(pullImage(docker, 'x', { signal: controller.signal, mapError }))).toBeInstanceOf(
      InterruptedError,
    );
    expect(calls).toEqual([]);
  });
});
