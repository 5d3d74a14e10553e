import type { ErrorCode } from '@stigmer/core';

/**
 * The one map from error codes to exit codes (sysexits-style where one fits).
 * Documented in the README; scripts may rely on it.
 */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = Object.freeze({
  IMAGE_UNRESOLVED: 3,
  IMAGE_REJECTED: 4,
  PULL_FAILED: 5,
  PULL_NOT_FOUND: 6,
  PULL_UNAUTHORIZED: 7,
  PULL_RATE_LIMITED: 8,
  PULL_TRANSIENT: 9,
  PULL_PLATFORM_UNAVAILABLE: 10,
  PULL_STALLED: 11,
  SERVER_START_FAILED: 12,
  SERVER_CONFIG_CHANGED: 13,
  SERVER_NOT_FOUND: 14,
  SERVER_NAME_TAKEN: 15,
  ENGINE_UNREACHABLE: 69,
  PLUGIN_FAILED: 70,
  PLUGIN_TIMEOUT: 70,
  PLUGIN_INVALID_RESULT: 70,
  STATE_FAILED: 73,
  ENGINE_FAILED: 74,
  CONFIG_INVALID: 78,
  CONFIG_NOT_FOUND: 78,
  PLUGIN_NOT_FOUND: 78,
  PLUGIN_INVALID: 78,
  PLUGIN_OPTIONS_INVALID: 78,
  COMPONENT_NOT_MANAGED: 2,
  MANIFEST_FORMAT_UNKNOWN: 2,
  MANIFEST_IMAGE_LOCAL: 20,
  MANIFEST_INVALID: 70,
  INTERRUPTED: 130,
});

/** Exit code for an error that is not a stigmer error: a bug. */
export const EXIT_INTERNAL = 1;
/** Exit code for a command-line usage error (commander's). */
export const EXIT_USAGE = 2;

/** 130 for SIGINT, 143 for SIGTERM, as shells report them. */
export function exitCodeForSignal(signal: string): number {
  return signal === 'SIGTERM' ? 143 : 130;
}
