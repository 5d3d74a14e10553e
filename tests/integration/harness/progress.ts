import type Docker from 'dockerode';

/**
 * Reading the engine's JSON progress streams (build, push, pull).
 *
 * The engine reports many failures *inside* a stream that otherwise ends
 * normally: an `{error, errorDetail}` event, while docker-modem's
 * followProgress still calls back without an error. Code that does not scan
 * the events reports success for a failed push or pull, so every stream the
 * harness reads goes through here.
 */

export interface ProgressEvent {
  status?: string;
  id?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: Record<string, unknown>;
  progressDetail?: { current?: number; total?: number };
}

/** Thrown for an error event found in a progress stream. */
export class StreamError extends Error {
  readonly events: ProgressEvent[];
  constructor(what: string, message: string, events: ProgressEvent[]) {
    super(`${what} failed: ${message}`);
    this.name = 'StreamError';
    this.events = events;
  }
}

/**
 * Consumes a progress stream to its end and returns its events; throws a
 * StreamError for the first in-stream error event. `what` names the operation
 * in the message ("push 127.0.0.1:5000/a:b").
 */
export function followProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  what: string,
): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, events: ProgressEvent[]) => {
      if (error) return reject(new Error(`${what} failed: ${error.message}`, { cause: error }));
      const failed = events.find((event) => event.error !== undefined || event.errorDetail !== undefined);
      if (failed) {
        const message = failed.errorDetail?.message ?? failed.error ?? 'unknown error';
        return reject(new StreamError(what, message, events));
      }
      resolve(events);
    });
  });
}
