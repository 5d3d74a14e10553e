/**
 * Every engine call gets an end. An engine can accept a connection and then
 * say nothing (wedged, or swamped): Node's HTTP client has no read timeout,
 * so without one a call would wait forever, and an interrupt would not
 * reach it either.
 */

/** The default for quick calls (inspect, list, tag, create, start, remove): `engine.timeout`. */
export const DEFAULT_ENGINE_TIMEOUT_MS = 30_000;

/** One call's abort signal, and whether it was the clock that fired it. */
export interface CallDeadline {
  signal: AbortSignal;
  /** True once the time ran out (as opposed to an interrupt). */
  readonly expired: boolean;
  /** Stops the clock: for a stream, once its answer has begun. */
  clear(): void;
}

/**
 * A signal that aborts after `timeoutMs` (none when undefined or 0), or when
 * `interrupt` aborts. An interrupt that came before the call does not abort
 * it: calls made after Ctrl-C are the clean-up (removing a half-made
 * container), and they must still run, bounded by their own time.
 */
export function callDeadline(
  interrupt: AbortSignal | undefined,
  timeoutMs: number | undefined,
): CallDeadline {
  const controller = new AbortController();
  let expired = false;
  const onInterrupt = () => controller.abort(interrupt?.reason);
  const live = interrupt !== undefined && !interrupt.aborted;
  if (live) interrupt.addEventListener('abort', onInterrupt, { once: true });
  const timer =
    timeoutMs && timeoutMs > 0
      ? setTimeout(() => {
          expired = true;
          controller.abort(new Error('engine call timed out'));
        }, timeoutMs)
      : undefined;
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    clear() {
      clearTimeout(timer);
      if (live) interrupt.removeEventListener('abort', onInterrupt);
    },
  };
}
