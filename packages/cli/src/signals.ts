import { InterruptedError } from '@stigmer/core';

/**
 * An AbortSignal that fires on the first SIGINT or SIGTERM, with an
 * InterruptedError as its reason, so every running plugin stops and the run
 * unwinds (releasing what it holds) instead of dying mid-operation. A second
 * signal exits at once.
 */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGTERM' ? 143 : 130);
    controller.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  return controller.signal;
}
