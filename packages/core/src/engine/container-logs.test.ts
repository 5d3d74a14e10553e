import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../errors.js';
import { streamLogs } from './container-logs.js';

// docker-modem's own demultiplexer, as the engine facade uses it.
const Modem = createRequire(import.meta.url)('docker-modem') as new () => {
  demuxStream(stream: NodeJS.ReadableStream, stdout: unknown, stderr: unknown): void;
};

/** One frame of the engine's multiplexed log stream: stream type, big-endian size, payload. */
function frame(type: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** A dockerode stand-in whose log request answers with `raw`. */
function dockerAnswering(raw: PassThrough): Dockerode {
  const modem = new Modem();
  return {
    modem: {
      dial: (_options: unknown, callback: (error: unknown, data: unknown) => void) => callback(null, raw),
      demuxStream: modem.demuxStream.bind(modem),
    },
  } as unknown as Dockerode;
}

const mapError = (error: unknown) => new EngineError('ENGINE_FAILED', String(error));

describe('a followed log stream', () => {
  it('ends normally when the reader aborts while a chunk still holds more frames (no write after end)', async () => {
    const raw = new PassThrough();
    const controller = new AbortController();
    const out = await streamLogs(dockerAnswering(raw), 'c1', {
      follow: true,
      tty: false,
      signal: controller.signal,
      answerSignal: new AbortController().signal,
      mapError,
    });
    const errors: unknown[] = [];
    out.on('error', (error) => errors.push(error));
    let seen = '';
    out.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      controller.abort();
    });
    const ended = new Promise((resolve) => out.on('end', resolve));
    // Three frames in one chunk: the demultiplexer writes all three in one go.
    raw.write(Buffer.concat([frame(1, 'one\n'), frame(2, 'two\n'), frame(1, 'three\n')]));
    await ended;
    expect(errors).toEqual([]);
    expect(seen).toBe('one\n');
  });

  it('passes a TTY stream through unchanged and ends when the engine ends it', async () => {
    const raw = new PassThrough();
    const out = await streamLogs(dockerAnswering(raw), 'c1', {
      follow: false,
      tty: true,
      answerSignal: new AbortController().signal,
      mapError,
    });
    let seen = '';
    out.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
    });
    const ended = new Promise((resolve) => out.on('end', resolve));
    raw.end('plain text\n');
    await ended;
    expect(seen).toBe('plain text\n');
  });
});
