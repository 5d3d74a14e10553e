import { engineMessage } from '../engine/errors.js';
import { isStigmerError } from '../errors.js';

/**
 * What kind of failure a pull met. Each kind has its own handling in
 * `pullAndTag`: `rate-limited`, `transient` and `stalled` are retried;
 * `unreachable` (the registry's name does not resolve, or nothing answers
 * there) is retried once only; `unauthorized` with credentials gives way to
 * the next credential source, then anonymous; the rest fail at once.
 */
export type PullFailureKind =
  | 'engine-down'
  | 'interrupted'
  | 'not-found'
  | 'unauthorized'
  | 'rate-limited'
  | 'unreachable'
  | 'transient'
  | 'wrong-platform'
  | 'stalled'
  | 'failed';

const KINDS: ReadonlySet<PullFailureKind> = new Set([
  'not-found',
  'unauthorized',
  'rate-limited',
  'unreachable',
  'transient',
  'wrong-platform',
  'stalled',
  'failed',
]);

/** Kinds worth another attempt: the next one may well succeed. */
export const RETRYABLE: ReadonlySet<PullFailureKind> = new Set([
  'rate-limited',
  'unreachable',
  'transient',
  'stalled',
]);

/**
 * Retries an unreachable registry gets at most, whatever `pull.retries` says:
 * a machine without network answers a DNS lookup or a connection at once,
 * and says the same on every attempt, so backing off four times only makes
 * the user wait (about a second instead of seven) for the same answer.
 */
export const UNREACHABLE_RETRIES = 1;

// The engine's words, as dockerd 20.10+ and containerd-based engines put them.
// Order matters: a 429 may say "denied", a missing platform may say "not found".
const RULES: ReadonlyArray<[PullFailureKind, RegExp]> = [
  ['wrong-platform', /no matching manifest for|does not match the specified platform|no match for platform/i],
  ['rate-limited', /toomanyrequests|too many requests|rate limit|status: 429/i],
  ['not-found', /manifest unknown|name unknown|not found: manifest|manifest for \S+ not found|: not found$/i],
  [
    'unauthorized',
    /pull access denied|unauthorized|denied|authentication required|no basic auth credentials|insufficient_scope|forbidden|status: 40[13]/i,
  ],
  // The registry answered with a 5xx: it is reachable, whatever the page says about its upstream.
  [
    'transient',
    /unexpected http status: 5\d\d|status: 5\d\d|internal server error|bad gateway|service unavailable|gateway timeout/i,
  ],
  [
    'unreachable',
    /no such host|server misbehaving|temporary failure in name resolution|connection refused|network is unreachable|no route to host/i,
  ],
  [
    'transient',
    /connection reset|broken pipe|\beof\b|timeout|timed out|deadline exceeded|temporar|tls handshake|closed before the pull finished|broke during the pull/i,
  ],
];

/** Classifies an error from `Engine.pull` by its code, then by the engine's message. */
export function classifyPullError(error: unknown): PullFailureKind {
  if (isStigmerError(error)) {
    if (error.code === 'INTERRUPTED') return 'interrupted';
    if (error.code === 'ENGINE_UNREACHABLE') return 'engine-down';
    if (error.code === 'PULL_STALLED') return 'stalled';
    // stigmer's own pull (after a stall) says what it met in so many words.
    const kind = error.details.kind;
    if (typeof kind === 'string' && KINDS.has(kind as PullFailureKind)) return kind as PullFailureKind;
    const status = error.details.statusCode;
    if (status === 429) return 'rate-limited';
  }
  const text = engineMessage(error);
  for (const [kind, pattern] of RULES) if (pattern.test(text)) return kind;
  return 'failed';
}
