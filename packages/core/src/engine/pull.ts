import { StringDecoder } from 'node:string_decoder';
import type Dockerode from 'dockerode';
import { formatDuration } from '../duration.js';
import { EngineError, interruption, isStigmerError, PullError } from '../errors.js';
import { callDeadline } from './deadline.js';
import { type ErrorMapper, engineMessage, isConnectionError } from './errors.js';
import { splitReference } from './reference.js';
import type { PullEvent, PullOptions, PullResult, RegistryAuth } from './types.js';

/**
 * Pulling an image through the Engine API. The engine reports failures two
 * ways: a rejected request before any progress (with an HTTP status), or an
 * `{error, errorDetail}` event in the middle of a stream that otherwise ends
 * normally. Both become `EngineError('ENGINE_FAILED')` here; a pull that
 * ignored the second would report success for an image it never got.
 */

/** dockerode's `authconfig`: what the engine reads from `X-Registry-Auth`. */
export interface EngineAuthConfig {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Maps stigmer's credentials to the Engine API's names; empty fields are left out. */
export function toAuthConfig(auth: RegistryAuth): EngineAuthConfig {
  const config: EngineAuthConfig = {};
  if (auth.username) config.username = auth.username;
  if (auth.password) config.password = auth.password;
  if (auth.serverAddress) config.serveraddress = auth.serverAddress;
  if (auth.identityToken) config.identitytoken = auth.identityToken;
  if (auth.registryToken) config.registrytoken = auth.registryToken;
  return config;
}

/** One JSON line of the engine's progress stream. */
export interface RawPullEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
}

const LAYER_ID = /^[a-f0-9]{12,64}$/;
const DIGEST_STATUS = /^Digest:\s*(\S+)/;

/** Maps an engine event to a typed one; `undefined` for events with nothing to say. Error events are not mapped. */
export function toPullEvent(raw: RawPullEvent): PullEvent | undefined {
  const status = typeof raw.status === 'string' ? raw.status : undefined;
  if (status === undefined) return undefined;
  const digest = DIGEST_STATUS.exec(status);
  if (digest?.[1]) return { type: 'digest', digest: digest[1] };
  if (typeof raw.id === 'string' && LAYER_ID.test(raw.id)) {
    const event: PullEvent = { type: 'layer', layer: raw.id, status };
    const current = raw.progressDetail?.current;
    const total = raw.progressDetail?.total;
    if (typeof current === 'number') event.current = current;
    if (typeof total === 'number') event.total = total;
    return event;
  }
  // `{"status":"Pulling from library/busybox","id":"latest"}`: the id is the tag.
  return { type: 'status', status: typeof raw.id === 'string' && raw.id ? `${raw.id}: ${status}` : status };
}

/**
 * The message is the engine's text alone (`manifest unknown`, `toomanyrequests: ...`),
 * so the layer above can classify it and say what to do; the reference and the
 * HTTP status travel in `details`.
 */
function pullFailed(
  reference: string,
  message: string,
  statusCode: number | undefined,
  cause?: unknown,
): EngineError {
  return new EngineError('ENGINE_FAILED', message, {
    ...(cause === undefined ? {} : { cause }),
    details: { reference, ...(statusCode === undefined ? {} : { statusCode }) },
  });
}

/**
 * Reads a pull's progress stream to its end, one JSON line at a time (never
 * keeping more than the current line). Resolves with the announced digest;
 * rejects on the first error event, on a broken stream, when `onEvent`
 * throws, or with an `InterruptedError` when `signal` aborts (the stream is
 * destroyed, which closes the request to the engine). With `stallTimeoutMs`,
 * a stream that sends nothing for that long is destroyed too, and the pull
 * rejects with `PullError('PULL_STALLED')`: the engine has no read timeout of
 * its own, so without this a stalled registry would hang the pull forever.
 */
export function followPull(
  stream: NodeJS.ReadableStream & { destroy?: (error?: Error) => void },
  reference: string,
  options: Pick<PullOptions, 'onEvent' | 'signal' | 'stallTimeoutMs'> = {},
): Promise<PullResult> {
  const { onEvent, signal, stallTimeoutMs } = options;
  return new Promise<PullResult>((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    let digest: string | undefined;
    let settled = false;
    let stallTimer: NodeJS.Timeout | undefined;
    const watch = () => {
      if (!stallTimeoutMs || settled) return;
      clearTimeout(stallTimer);
      stallTimer = setTimeout(onStall, stallTimeoutMs);
    };

    const cleanup = () => {
      clearTimeout(stallTimer);
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('close', onClose);
      stream.removeListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      // Keep an error listener: destroying may still emit one.
      stream.on('error', () => {});
      stream.destroy?.();
      reject(error);
    };
    const succeed = () => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve({ reference, digest });
    };

    const handleLine = (line: string) => {
      const text = line.trim();
      if (text === '') return;
      let raw: RawPullEvent;
      try {
        raw = JSON.parse(text) as RawPullEvent;
      } catch {
        // Not JSON (a proxy's page, a truncated line): report it as status rather than crash.
        raw = { status: text };
      }
      if (raw.error !== undefined || raw.errorDetail !== undefined) {
        const message =
          raw.errorDetail?.message || raw.error || 'the engine reported an error without a message';
        const code = raw.errorDetail?.code;
        fail(pullFailed(reference, message, typeof code === 'number' ? code : undefined));
        return;
      }
      const event = toPullEvent(raw);
      if (event === undefined) return;
      if (event.type === 'digest') digest = event.digest;
      if (onEvent) {
        try {
          onEvent(event);
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
        }
      }
    };

    function onData(chunk: Buffer | string) {
      watch();
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let newline = pending.indexOf('\n');
      while (newline !== -1 && !settled) {
        handleLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    }
    function onEnd() {
      pending += decoder.end();
      if (pending) handleLine(pending);
      pending = '';
      succeed();
    }
    function onClose() {
      // 'close' without 'end': the connection went away mid-pull.
      if (signal?.aborted) onAbort();
      else
        fail(
          pullFailed(
            reference,
            'the connection to the Docker engine closed before the pull finished',
            undefined,
          ),
        );
    }
    function onError(error: Error) {
      if (signal?.aborted) onAbort();
      else
        fail(
          pullFailed(
            reference,
            `the connection to the Docker engine broke during the pull (${error.message})`,
            undefined,
            error,
          ),
        );
    }
    function onAbort() {
      if (signal) fail(interruption(signal));
    }
    function onStall() {
      fail(stalled(reference, stallTimeoutMs ?? 0));
    }

    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onClose);
    stream.on('error', onError);
    watch();
  });
}

/** The Engine API's `fromImage` and `tag` for a reference: a digest wins over a tag, as in `docker pull`. */
export function pullQuery(reference: string): { fromImage: string; tag: string } {
  const { name, tag, digest } = splitReference(reference);
  return { fromImage: name, tag: digest ?? tag ?? 'latest' };
}

/**
 * Pulls `reference` with `docker.createImage` (what `docker.pull` calls,
 * without its looser name splitting) and follows the stream. Rejections:
 * `EngineError('ENGINE_FAILED')` with `details.reference` and, when the engine
 * gave one, `details.statusCode`; the engine's own text as message; an
 * `InterruptedError` on abort; connection errors through `mapError`.
 */
export async function pullImage(
  docker: Dockerode,
  reference: string,
  options: PullOptions & { mapError: ErrorMapper },
): Promise<PullResult> {
  const { signal, stallTimeoutMs } = options;
  if (signal?.aborted) throw interruption(signal);
  const query: Record<string, unknown> = { ...pullQuery(reference) };
  if (options.platform) query.platform = options.platform;
  // The watchdog covers the wait for the answer too: an engine (or a registry
  // it waits on) that never starts answering is a stall like any other.
  const deadline = callDeadline(signal, stallTimeoutMs);
  query.abortSignal = deadline.signal;
  const auth = options.auth ? toAuthConfig(options.auth) : undefined;

  let stream: NodeJS.ReadableStream;
  try {
    // createImage(auth, opts) sends auth as X-Registry-Auth, never in the URL.
    stream = (await (
      docker.createImage as unknown as (auth: unknown, opts: unknown) => Promise<NodeJS.ReadableStream>
    ).call(docker, auth, query)) as NodeJS.ReadableStream;
  } catch (error) {
    if (deadline.expired) throw stalled(reference, stallTimeoutMs ?? 0);
    if (signal?.aborted) throw interruption(signal);
    if (isStigmerError(error)) throw error;
    if (isConnectionError(error)) throw options.mapError(error, `pull ${reference}`);
    const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
    throw pullFailed(
      reference,
      engineMessage(error),
      typeof statusCode === 'number' ? statusCode : undefined,
      error,
    );
  } finally {
    deadline.clear();
  }
  return followPull(stream, reference, { onEvent: options.onEvent, signal, stallTimeoutMs });
}

/** `PULL_STALLED`: nothing came for `stallTimeoutMs`. */
function stalled(reference: string, stallTimeoutMs: number): PullError {
  return new PullError('PULL_STALLED', `no progress for ${formatDuration(stallTimeoutMs)}`, {
    details: { reference, stallTimeoutMs },
  });
}
