import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import type { EngineError } from '../errors.js';

/** What `streamLogs` needs besides the container. */
export interface LogStreamOptions {
  follow: boolean;
  /** Lines from the end; undefined for all. */
  tail?: number | undefined;
  /** The container has a TTY: its output is one raw stream, not multiplexed. */
  tty: boolean;
  /** Ends the text stream (normally: the reader sees the lines it got). */
  signal?: AbortSignal | undefined;
  /** Aborts the request until the engine's answer begins (the call's deadline). */
  answerSignal: AbortSignal;
  /** Turns an error in the middle of the stream into a stigmer error. */
  mapError: (error: unknown) => EngineError;
  /**
   * `services`: a Swarm service's logs (`id` is the service), every line
   * preceded by its task's attributes (`com.docker.swarm.task.id=...`).
   * Default `containers`.
   */
  resource?: 'containers' | 'services';
}

/**
 * A container's output as one readable stream of text, stdout and stderr
 * demultiplexed. Rejects only when the request fails before the answer
 * begins; a stream that breaks later ends in the returned stream's error.
 * Aborting `signal` ends the stream normally, and a reader that gives up
 * early closes the request to the engine.
 * @internal dockerode types stay out of the published declarations.
 */
export async function streamLogs(
  docker: Dockerode,
  id: string,
  options: LogStreamOptions,
): Promise<NodeJS.ReadableStream> {
  const { signal } = options;
  // modem.dial directly: dockerode's logs() buffers the whole output when not following.
  const raw = await new Promise<IncomingMessage>((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/${options.resource ?? 'containers'}/${encodeURIComponent(id)}/logs?`,
        method: 'GET',
        isStream: true,
        abortSignal: options.answerSignal,
        statusCodes: {
          200: true,
          404: 'no such container or service',
          500: 'server error',
          503: 'not a swarm node',
        },
        options: {
          follow: options.follow,
          stdout: true,
          stderr: true,
          tail: options.tail === undefined ? 'all' : String(Math.max(0, Math.floor(options.tail))),
          ...(options.resource === 'services' ? { details: true } : {}),
        },
      },
      (error, data) => (error ? reject(error) : resolve(data as IncomingMessage)),
    );
  });

  const out = new PassThrough();
  const stop = () => {
    signal?.removeEventListener('abort', onAbort);
    raw.destroy();
  };
  const onAbort = () => {
    stop();
    out.end();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  raw.on('end', () => {
    signal?.removeEventListener('abort', onAbort);
    out.end();
  });
  raw.on('error', (error) => {
    if (signal?.aborted || out.writableEnded) return;
    signal?.removeEventListener('abort', onAbort);
    out.destroy(options.mapError(error));
  });
  raw.on('close', () => {
    if (!out.writableEnded && !out.destroyed && !signal?.aborted) out.end();
  });
  out.on('close', stop);
  // The demultiplexer writes every frame of a chunk in one go, and a reader
  // that aborts on the first one ends `out` in the middle: later frames are
  // dropped, not written after the end (an uncaught error, and a stream that
  // never emits 'end'). A full `out` pauses the engine's stream until it drains.
  const sink = {
    write(chunk: Buffer): boolean {
      if (out.writableEnded || out.destroyed) return false;
      const more = out.write(chunk);
      if (!more) raw.pause();
      return more;
    },
  };
  out.on('drain', () => raw.resume());
  if (options.tty) raw.on('data', (chunk: Buffer) => sink.write(chunk));
  else {
    const writer = sink as unknown as NodeJS.WritableStream;
    docker.modem.demuxStream(raw, writer, writer);
  }
  return out;
}
