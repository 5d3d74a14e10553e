import { formatDuration } from '../duration.js';
import type { ErrorCode } from '../errors.js';
import type { PullFailureKind } from './classify.js';

/** What a failed pull's message is built from. Nothing here may hold a secret. */
export interface FailureFacts {
  reference: string;
  registry: string;
  /** The engine's (or registry's) own words for the last failure. */
  said: string;
  /** How many pulls were started. */
  attempts: number;
  /** The platform asked for. */
  platform: string;
  /** The platforms the tag has, when known. */
  available?: string[] | undefined;
  /** How credentials were used, e.g. `anonymously` or `with credentials from GHCR_TOKEN, then anonymously`. */
  credentials: string;
  stallTimeoutMs?: number | undefined;
  /** A plugin's own advice for credentials (`set GHCR_TOKEN ...`). */
  credentialHint?: string | undefined;
  /** Set when the registry asked to wait longer than stigmer will. */
  retryAfterMs?: number | undefined;
}

/** The error code of each kind that ends a pull. */
export const CODES: Readonly<Record<Exclude<PullFailureKind, 'engine-down' | 'interrupted'>, ErrorCode>> = {
  'not-found': 'PULL_NOT_FOUND',
  unauthorized: 'PULL_UNAUTHORIZED',
  'rate-limited': 'PULL_RATE_LIMITED',
  unreachable: 'PULL_TRANSIENT',
  transient: 'PULL_TRANSIENT',
  'wrong-platform': 'PULL_PLATFORM_UNAVAILABLE',
  stalled: 'PULL_STALLED',
  failed: 'PULL_FAILED',
};

const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
/** `tried once` (no retries: nothing waited), or `tried 3 times, <how>`. */
const tried = (n: number, how: string) => (n === 1 ? 'tried once (no retries)' : `tried ${n} times, ${how},`);
const RETRIES_HINT = '"pull.retries" (STIGMER_PULL_RETRIES) sets how many times stigmer retries.';

/** What happened, what was tried and what to do, for each kind of failure. */
export function failureMessage(kind: keyof typeof CODES, f: FailureFacts): string {
  switch (kind) {
    case 'not-found':
      return [
        `The registry has no image ${f.reference} (tried ${f.credentials}).`,
        `Registry said: ${f.said}`,
        'Check the repository and tag in your stigmer config, or build the image locally.',
      ].join('\n');
    case 'unauthorized':
      return [
        `The registry refused to let stigmer pull ${f.reference}: it needs credentials, or the repository does not exist (tried ${f.credentials}).`,
        `Registry said: ${f.said}`,
        `To fix: log in with \`docker login ${f.registry}\`${f.credentialHint ? `, or ${f.credentialHint}` : ''}; then run the command again. \`--explain\` shows which credential source was used.`,
      ].join('\n');
    case 'rate-limited':
      return [
        f.retryAfterMs === undefined
          ? `The registry rate-limited the pull of ${f.reference} (HTTP 429); stigmer ${tried(f.attempts, 'waiting between attempts')} and gave up.`
          : `The registry rate-limited the pull of ${f.reference} (HTTP 429) and asks to wait ${formatDuration(f.retryAfterMs)}, longer than stigmer waits; stigmer tried ${times(f.attempts)}.`,
        `Registry said: ${f.said}`,
        `To fix: wait a while and run the command again, or log in with \`docker login ${f.registry}\` for a higher limit. ${RETRIES_HINT}`,
      ].join('\n');
    case 'unreachable':
      return [
        `Could not reach the registry ${f.registry} to pull ${f.reference}: ${unreachableWhy(f.said)}; stigmer tried ${times(f.attempts)}.`,
        `Last error: ${f.said}`,
        `To fix: check the network connection (DNS, proxy, VPN) and that ${f.registry} is the registry you mean, then run the command again.`,
      ].join('\n');
    case 'transient':
      return [
        `Pulling ${f.reference} failed with a temporary error; stigmer ${tried(f.attempts, 'backing off between attempts')} and gave up.`,
        `Last error: ${f.said}`,
        `To fix: check the network and the registry, then run the command again. ${RETRIES_HINT}`,
      ].join('\n');
    case 'wrong-platform':
      return [
        `${f.reference} has no image for ${f.platform}; ${
          f.available && f.available.length > 0
            ? `it has: ${f.available.join(', ')}.`
            : 'the platforms it has could not be listed.'
        }`,
        `To fix: pass --platform (or set image.platform) to one of ${f.available && f.available.length > 0 ? 'those' : "the image's platforms"}, or publish the image for ${f.platform}.`,
      ].join('\n');
    case 'stalled':
      return [
        `Pulling ${f.reference} stalled: no progress for ${formatDuration(f.stallTimeoutMs ?? 0)}${f.attempts === 1 ? '; stigmer closed the pull' : `, ${times(f.attempts)}; stigmer closed the pull each time`}.`,
        `To fix: check the network and run the command again; raise "pull.stallTimeout" (STIGMER_PULL_STALL_TIMEOUT) for slow links. If the next pull hangs at once, the engine is still waiting on the stalled download: it ends when the registry connection closes, or when the Docker engine restarts.`,
      ].join('\n');
    case 'failed':
      return [`Pulling ${f.reference} failed (tried ${f.credentials}).`, `Engine said: ${f.said}`].join('\n');
  }
}

/** The engine's words for an unreachable registry, as a few plain ones. */
function unreachableWhy(said: string): string {
  if (/no such host|server misbehaving|name resolution/i.test(said))
    return 'its name could not be resolved (DNS)';
  if (/connection refused/i.test(said)) return 'nothing accepted the connection';
  return 'there is no network route to it';
}
