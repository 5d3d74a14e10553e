import { InterruptedError } from '../errors.js';

/** The longest a retry waits, whatever the attempt: beyond this, failing and saying so is kinder. */
export const MAX_BACKOFF_MS = 30_000;

/**
 * Capped exponential backoff with "equal jitter": half the delay is fixed,
 * half random, so that many clients failing together do not retry in step,
 * yet no retry comes sooner than half the nominal delay.
 * `attempt` counts from 0 (the delay before the first retry is about `baseMs`).
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs = MAX_BACKOFF_MS,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}

/**
 * A `Retry-After` header as milliseconds: delta-seconds or an HTTP date.
 * `undefined` when absent or unreadable; never negative.
 */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  const text = header?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Waits `ms`, or rejects with the signal's interruption as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const reason = () => (signal?.reason instanceof Error ? signal.reason : new InterruptedError('SIGINT'));
    if (signal?.aborted) return reject(reason());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(reason());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
