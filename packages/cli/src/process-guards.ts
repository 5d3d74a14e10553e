import { debugText, internalErrorMessage } from './internal-error.js';

/**
 * What the CLI's process does around any command, so that no command can
 * hang on after its work, crash on a closed pipe, or print a stack trace
 * for a bug it did not foresee.
 */

/**
 * A reader that stops reading (`| head -1`) is not an error: later writes
 * are dropped (`server logs` also stops reading). Without a listener Node
 * would crash on EPIPE with a stack trace and exit 1.
 */
function watchPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}

/**
 * The last line of defence: an error nobody caught is a bug in stigmer, and
 * is said to be one, with exit 1 and no stack trace unless `--debug`.
 */
function catchStrays(): void {
  const debug = process.argv.includes('--debug');
  const report = (error: unknown) => {
    try {
      process.stderr.write(`${internalErrorMessage(error)}\n${debug ? `${debugText(error)}\n` : ''}`);
    } finally {
      process.exit(1);
    }
  };
  process.on('uncaughtException', report).on('unhandledRejection', report);
}

/** Installs the guards above; call first. */
export function guardProcess(): void {
  watchPipes();
  catchStrays();
}

/**
 * Ends the process once the command returned, with its exit code, after
 * stdout and stderr have taken what was written. Whatever a plugin or a
 * library left running (a timer, a stalled socket) cannot keep a finished
 * command alive.
 */
export async function exitWhenDone(): Promise<never> {
  // A reader that went away makes the write fail, which ends the wait too;
  // a slow reader (a pager) is waited for, so no output is cut short.
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (stream.destroyed || !stream.writable) return resolve();
      stream.write('', () => resolve());
    });
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit();
}
