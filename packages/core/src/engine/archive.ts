import type Dockerode from 'dockerode';
import { EngineError, interruption } from '../errors.js';
import type { ErrorMapper } from './errors.js';
import { withoutNames } from './image-archive.js';
import type { LoadResult } from './types.js';

/**
 * `docker save` and `docker load` through the Engine API. Both stream: an
 * agent-runner image is about 2 GB, which must never sit in memory.
 */

/** Streams one `docker save` archive (a tar) holding `references`, with their names. */
export async function saveImages(
  docker: Dockerode,
  references: readonly string[],
  options: { signal?: AbortSignal | undefined; mapError: ErrorMapper },
): Promise<NodeJS.ReadableStream> {
  const { signal } = options;
  if (signal?.aborted) throw interruption(signal);
  const operation = `save ${references.join(', ')}`;
  try {
    // GET /images/get?names=a&names=b: the archive keeps every name, so a load restores the tags.
    return await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
      docker.modem.dial(
        {
          path: '/images/get?',
          method: 'GET',
          isStream: true,
          abortSignal: signal,
          statusCodes: { 200: true, 404: 'no such image', 500: 'server error' },
          options: { names: [...references] },
        },
        (error, data) => (error ? reject(error) : resolve(data as NodeJS.ReadableStream)),
      );
    });
  } catch (error) {
    if (signal?.aborted) throw interruption(signal);
    throw options.mapError(error, operation);
  }
}

/**
 * Loads a `docker save` archive without any of its names (see
 * `withoutNames`) and returns the ids the engine says it loaded: naming an
 * image is the caller's job, once it has checked it. The engine reports a
 * broken archive inside its answer while the request itself succeeds, so the
 * answer is read to the end and its errors thrown. When the archive itself is
 * at fault, that is the error, not the engine's view of a cut upload.
 */
export async function loadImages(
  docker: Dockerode,
  archive: NodeJS.ReadableStream,
  options: { signal?: AbortSignal | undefined; mapError: ErrorMapper; source: string },
): Promise<LoadResult> {
  const { signal } = options;
  if (signal?.aborted) throw interruption(signal);
  const operation = `load ${options.source}`;
  const body = withoutNames(archive);
  let archiveError: Error | undefined;
  // A broken archive must end the upload, not leave the engine waiting for the rest of it.
  const cut = new AbortController();
  body.on('error', (error) => {
    archiveError = error;
    cut.abort(error);
  });
  const abortSignal = signal ? AbortSignal.any([signal, cut.signal]) : cut.signal;
  const fail = (error: unknown) => {
    if (signal?.aborted) return interruption(signal);
    if (archiveError) {
      return new EngineError('ENGINE_FAILED', `Could not ${operation}: ${archiveError.message}`, {
        cause: archiveError,
        details: { operation },
      });
    }
    return options.mapError(error, operation);
  };
  let text = '';
  let before: Set<string>;
  try {
    before = new Set((await docker.listImages({ all: true })).map((image) => image.Id));
    const answer = (await docker.loadImage(body, {
      quiet: true,
      abortSignal,
    } as object)) as NodeJS.ReadableStream;
    for await (const chunk of answer as AsyncIterable<Buffer | string>) text += chunk.toString();
  } catch (error) {
    throw fail(error);
  }
  if (archiveError) throw fail(archiveError);
  try {
    const { ids } = parseLoadAnswer(text, operation);
    return { ids, added: ids.filter((id) => !before.has(id)) };
  } catch (error) {
    throw fail(error);
  }
}

/**
 * Reads the engine's JSON lines: `Loaded image ID: sha256:...` or an error.
 * A `Loaded image: name:tag` line cannot come from an archive without names;
 * it is an error rather than a name quietly set.
 */
export function parseLoadAnswer(text: string, operation: string): Pick<LoadResult, 'ids'> {
  const names: string[] = [];
  const ids: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let event: { stream?: string; error?: string; errorDetail?: { message?: string } };
    try {
      event = JSON.parse(line);
    } catch {
      event = { stream: line };
    }
    const error = event.errorDetail?.message ?? event.error;
    if (error) {
      throw new EngineError('ENGINE_FAILED', `Docker engine could not ${operation}: ${error}`, {
        details: { operation },
      });
    }
    const stream = event.stream?.trim() ?? '';
    const id = /^Loaded image ID: (\S+)/.exec(stream);
    const name = /^Loaded image: (\S+)/.exec(stream);
    if (id?.[1]) ids.push(id[1]);
    else if (name?.[1]) names.push(name[1]);
  }
  if (names.length > 0) {
    throw new EngineError(
      'ENGINE_FAILED',
      `Docker engine named ${names.join(', ')} while it was asked to ${operation} without names`,
      { details: { operation, names } },
    );
  }
  if (ids.length === 0) {
    throw new EngineError(
      'ENGINE_FAILED',
      `Docker engine could not ${operation}: it loaded nothing (is this a \`docker save\` archive?)`,
      { details: { operation } },
    );
  }
  return { ids };
}
