import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { followPull } from './pull.js';

describe('followPull stall watchdog', () => {
  it('fails with PULL_STALLED and destroys the stream when nothing arrives for the timeout', async () => {
    const stream = new PassThrough();
    const pulling = followPull(stream, 'r/a:1', { stallTimeoutMs: 80 });
    stream.write('{"status":"Downloading","id":"aaaaaaaaaaaa","progressDetail":{"current":1,"total":9}}\n');
    await expect(pulling).rejects.toMatchObject({
      code: 'PULL_STALLED',
      message: 'no progress for 80ms',
      details: { reference: 'r/a:1', stallTimeoutMs: 80 },
    });
    // Destroying the stream is what closes the request to the engine.
    expect(stream.destroyed).toBe(true);
  });

  it('keeps waiting while data keeps coming, however long the pull', async () => {
    const stream = new PassThrough();
    const pulling = followPull(stream, 'r/a:1', { stallTimeoutMs: 80 });
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      stream.write(
        `{"status":"Downloading","id":"aaaaaaaaaaaa","progressDetail":{"current":${i},"total":9}}\n`,
      );
    }
    stream.end('{"status":"Digest: sha256:abc"}\n');
    await expect(pulling).resolves.toEqual({ reference: 'r/a:1', digest: 'sha256:abc' });
  });

  it('has no watchdog without a timeout', async () => {
    const stream = new PassThrough();
    const pulling = followPull(stream, 'r/a:1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    stream.end('{"status":"Status: Image is up to date"}\n');
    await expect(pulling).resolves.toEqual({ reference: 'r/a:1', digest: undefined });
  });
});
