import { InterruptedError } from '@stigmer/core';

/** A command's interrupt: the signal its work follows, and the switch that starts listening. */
export interface Interrupts {
  /** Aborts on the first SIGINT or SIGTERM once armed, with an InterruptedError as its reason. */
  signal: AbortSignal;
  /**
   * Starts handling SIGINT and SIGTERM in JavaScript. Until then they end the
   * process at once, as Node does by default: while config files and plugins
   * load, their code may hold the event loop (a plugin that loops at import),
   * where no handler could ever run, and nothing needs undoing yet.
   */
  arm(): void;
  /** Stops handling them: the fast path, handing the command to the full CLI, leaves Node's default. */
  disarm(): void;
}

/**
 * The first SIGINT or SIGTERM after `arm()` aborts the signal, so every
 * running plugin stops and the run unwinds (releasing its lock, removing a
 * half-made container) instead of dying mid-operation. The handlers are then
 * removed: a second signal ends the process at once, in the kernel, even if
 * the event loop is stuck.
 */
export function interrupts(): Interrupts {
  const controller = new AbortController();
  let armed = false;
  const onSignal = (signal: NodeJS.Signals) => {
    process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal);
    controller.abort(new InterruptedError(signal));
  };
  return {
    signal: controller.signal,
    arm() {
      if (armed || controller.signal.aborted) return;
      armed = true;
      process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    },
    disarm() {
      process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal);
    },
  };
}
