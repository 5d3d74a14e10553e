/**
 * Stable error codes. The CLI maps each to an exit code in one place
 * (`packages/cli/src/exit-codes.ts`); tests and plugins match on `code`,
 * never on message text.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'PLUGIN_NOT_FOUND'
  | 'PLUGIN_INVALID'
  | 'PLUGIN_OPTIONS_INVALID'
  | 'PLUGIN_FAILED'
  | 'PLUGIN_TIMEOUT'
  | 'PLUGIN_INVALID_RESULT'
  | 'ENGINE_UNREACHABLE'
  | 'ENGINE_FAILED'
  | 'IMAGE_UNRESOLVED'
  | 'IMAGE_REJECTED'
  | 'PULL_FAILED'
  | 'PULL_NOT_FOUND'
  | 'PULL_UNAUTHORIZED'
  | 'PULL_RATE_LIMITED'
  | 'PULL_TRANSIENT'
  | 'PULL_PLATFORM_UNAVAILABLE'
  | 'PULL_STALLED'
  | 'SERVER_START_FAILED'
  | 'SERVER_CONFIG_CHANGED'
  | 'SERVER_NOT_FOUND'
  | 'SERVER_NAME_TAKEN'
  | 'STATE_FAILED'
  | 'COMPONENT_NOT_MANAGED'
  | 'MANIFEST_FORMAT_UNKNOWN'
  | 'MANIFEST_IMAGE_LOCAL'
  | 'MANIFEST_INVALID'
  | 'INTERRUPTED';

/** Fields every stigmer error may carry besides its message. */
export interface StigmerErrorOptions {
  /** The underlying error, kept for `--debug`. */
  cause?: unknown;
  /** The plugin in which the error happened, when one did. */
  plugin?: string;
  /** The hook that was running, when one was. */
  hook?: string;
  /** Structured, secret-free facts for `--json` output. */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error stigmer raises on purpose. Messages say what
 * happened, what was tried and what to do; `code` is stable.
 */
export class StigmerError extends Error {
  readonly code: ErrorCode;
  plugin: string | undefined;
  hook: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: StigmerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.plugin = options.plugin;
    this.hook = options.hook;
    this.details = options.details ?? {};
  }
}

/**
 * A configuration file, flag, environment variable or plugin specifier is
 * wrong; or a flag asks for something this CLI does not manage
 * (`COMPONENT_NOT_MANAGED`: `server logs -c stigmer-server`).
 */
export class ConfigError extends StigmerError {}

/** A plugin threw, timed out or returned something its hook does not accept. */
export class PluginError extends StigmerError {}

/** The Docker engine could not be reached or refused an operation. */
export class EngineError extends StigmerError {}

/** No plugin could provide the image, or a check refused the one that was found. */
export class ImageError extends StigmerError {}

/**
 * A registry pull failed, classified: `PULL_NOT_FOUND`, `PULL_UNAUTHORIZED`,
 * `PULL_RATE_LIMITED`, `PULL_TRANSIENT` (5xx, reset), `PULL_PLATFORM_UNAVAILABLE`,
 * `PULL_STALLED`, or `PULL_FAILED` when the engine's answer fits no class.
 * `details` carry the reference, the attempts made and the engine's own words.
 */
export class PullError extends StigmerError {}

/**
 * The agent-runner container did not come up (`SERVER_START_FAILED`: exited,
 * unhealthy, not ready in time), runs with another image or spec than asked
 * (`SERVER_CONFIG_CHANGED`), is not there (`SERVER_NOT_FOUND`), or its name
 * is held by a container stigmer does not own here (`SERVER_NAME_TAKEN`).
 */
export class ServerError extends StigmerError {}

/**
 * A manifest could not be rendered: no plugin renders the format asked for
 * (`MANIFEST_FORMAT_UNKNOWN`), the image exists only in this engine, so no
 * other machine can pull it (`MANIFEST_IMAGE_LOCAL`), or a renderer produced
 * an object its format's schema refuses (`MANIFEST_INVALID`, a bug; the
 * message names the field).
 */
export class ManifestError extends StigmerError {}

/** The data folder, its lock or its state file could not be used (`STATE_FAILED`). */
export class StateError extends StigmerError {}

/** The user or the system interrupted the run (SIGINT, SIGTERM). */
export class InterruptedError extends StigmerError {
  /** The signal that interrupted the run. */
  readonly signal: string;
  constructor(signal: string, message = `Interrupted by ${signal}.`) {
    super('INTERRUPTED', message, { details: { signal } });
    this.signal = signal;
  }
}

/**
 * The error for work stopped by an aborted signal: the signal's own
 * `InterruptedError` (SIGINT, SIGTERM), else one for SIGINT.
 */
export function interruption(signal: AbortSignal): InterruptedError {
  return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT');
}

/** True when `error` is a stigmer error, whichever copy of core created it. */
export function isStigmerError(error: unknown): error is StigmerError {
  return (
    error instanceof StigmerError ||
    (error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && 'details' in error)
  );
}
