import { formatDuration } from '../duration.js';
import { EngineError, isStigmerError } from '../errors.js';
import { engineUnreachableError } from './unreachable.js';

/**
 * Errors of talking to the engine, in one place: which errors mean the
 * engine cannot be reached (or went away), what the engine said in an
 * error, and the mappers that turn any of them into a stigmer error.
 */

/** Why an endpoint could not be used. */
export type ProbeFailure =
  | 'missing'
  | 'not-a-socket'
  | 'refused'
  | 'timeout'
  | 'permission-denied'
  | 'unexpected-answer'
  | 'unsupported'
  | 'invalid'
  | 'error';

/** Where a call went: the endpoint discovery chose, and how. */
export interface CallEndpoint {
  host: string;
  source: string;
  explicit?: boolean | undefined;
}

/** How the engine facade turns a request error into a stigmer error. */
export type ErrorMapper = (error: unknown, operation: string) => EngineError;

/**
 * Codes of errors that mean the engine cannot be reached, or went away in
 * the middle of a call (ECONNRESET, EPIPE: crashed, stopped, restarted).
 */
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT',
  'EACCES',
  'EPERM',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/** True for an error of the connection to the engine (not of the engine's answer). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && CONNECTION_ERRORS.has(code);
}

/** Maps a connection error to a failure kind. */
export function classifyConnectionError(error: unknown): ProbeFailure {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return 'missing';
    case 'ECONNREFUSED':
      return 'refused';
    case 'EACCES':
    case 'EPERM':
      return 'permission-denied';
    case 'ENOTSOCK':
      return 'not-a-socket';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'error';
  }
}

/** The HTTP status of a failed engine request, when it had one. */
export function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** What the engine said, without dockerode's `(HTTP code 404) unexpected - ` wrapping. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: unknown } | null)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim();
  }
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim();
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\(HTTP code \d+\) [^-]* - /, '').trim();
}

/**
 * Any error of an engine call as a stigmer error: stigmer errors pass
 * through; a broken connection is `ENGINE_UNREACHABLE` naming the endpoint;
 * anything else is `ENGINE_FAILED` with the engine's own words.
 */
export function mapEngineError(
  error: unknown,
  operation: string,
  endpoint: CallEndpoint | undefined,
): EngineError {
  if (error instanceof EngineError) return error;
  if (isStigmerError(error)) return error as EngineError;
  if (isConnectionError(error)) {
    return engineUnreachableError(
      [
        {
          host: endpoint?.host ?? 'the Docker engine',
          source: endpoint?.source ?? 'discovery',
          failure: classifyConnectionError(error),
          detail: `the engine stopped answering while stigmer tried to ${operation} (${(error as Error).message})`,
          explicit: endpoint?.explicit,
        },
      ],
      error,
    );
  }
  const statusCode = statusCodeOf(error);
  return new EngineError('ENGINE_FAILED', `Docker engine could not ${operation}: ${engineMessage(error)}`, {
    cause: error,
    details: { operation, ...(statusCode === undefined ? {} : { statusCode }) },
  });
}

/**
 * `ENGINE_UNREACHABLE` for an engine that took the request and sent nothing
 * back in time: it runs (it answered discovery), but cannot be used.
 */
export function noAnswerError(
  endpoint: { host: string; source: string } | undefined,
  operation: string,
  timeoutMs: number,
): EngineError {
  const where = endpoint ? `${endpoint.host} (${endpoint.source})` : 'the Docker engine';
  const raise =
    ' If it is only slow, raise "engine.timeout" in your stigmer config (or set STIGMER_ENGINE_TIMEOUT).';
  return new EngineError(
    'ENGINE_UNREACHABLE',
    `The Docker engine at ${where} did not answer within ${formatDuration(timeoutMs)} when stigmer tried to ${operation}: it accepts connections but sends nothing back (wedged or overloaded).\n` +
      `Check it with \`docker info\`; restarting the engine (or Docker Desktop) clears a wedged one.${raise}`,
    { details: { operation, timeoutMs, ...(endpoint ? { host: endpoint.host } : {}) } },
  );
}
