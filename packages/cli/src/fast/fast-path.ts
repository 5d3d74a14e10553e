import { recordShown, SocketEngine, shownBefore } from '@stigmer/core/host';
import { commandContext, report } from '../boundary.js';
import { imageResolve } from '../commands/image-resolve.js';
import { Output } from '../output/output.js';
import { exitWhenDone, guardProcess } from '../process-guards.js';
import { fastCommandLine } from './command-line.js';

/** Collects what a stream would have been given, to be written only if the fast path keeps its result. */
class Held {
  readonly chunks: string[] = [];
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
}

/**
 * The CLI's fast path for a local hit (`stigmer image resolve` whose chain
 * finds the image on a local socket engine): the same command body, error
 * boundary, session, config loader and plugins as the full CLI, given a
 * {@link SocketEngine} instead of dockerode and this command line instead of
 * commander, in a CommonJS bundle of its own (no ESM loader, built-ins
 * through `require`).
 *
 * Its output is held back and printed only when the run succeeded. The
 * first call it does not serve (an engine call the socket engine refuses, a
 * `fetch`) never settles and stops the run, which is abandoned: no plugin
 * sees a failure it might record (a mirror's cool-down), nothing was printed,
 * nothing was changed (the socket engine only reads; one-time notes are
 * recorded only once printed). Any error ends it too. Then it returns false
 * and the caller runs the full CLI, which prints whatever it prints. An
 * interrupt is reported here, as the full CLI reports it.
 *
 * `STIGMER_FAST_PATH=0` turns it off; `=require` (for tests) makes a
 * fallback exit 70 with why on stderr instead of running the full CLI.
 */
export async function fastPath(argv: readonly string[], env = process.env): Promise<boolean> {
  if (env.STIGMER_FAST_PATH === '0') return false;
  const options = fastCommandLine(argv.slice(2));
  if (!options) return fallBack('the command line is not one it serves', env);
  guardProcess();
  const stdout = new Held();
  const stderr = new Held();
  const { ctx, interrupt } = commandContext(
    new Output(
      options,
      stdout as unknown as NodeJS.WritableStream,
      stderr as unknown as NodeJS.WritableStream,
    ),
  );
  // The first thing the fast path does not do (a refused engine call, a fetch) stops the run:
  // that call never settles, so nothing in the run sees it, and the run is abandoned.
  let stopped: string | undefined;
  let stopRun: () => void = () => {};
  const stop = new Promise<void>((resolve) => (stopRun = resolve));
  const stopFor = (why: string) => {
    stopped ??= why;
    stopRun();
  };
  let engine: SocketEngine | undefined;
  const notes: [string, string][] = [];
  ctx.sessionOverrides = {
    engine: (settings) => {
      engine = new SocketEngine({
        env,
        host: settings.engine.host,
        callTimeoutMs: settings.engine.timeout,
        signal: ctx.signal,
        onRefusal: stopFor,
        // local-image's question, asked beside discovery's /version.
        prefetch: [settings.image.localTag],
      });
      return engine;
    },
    firstTime: async (dataDir, key) => {
      if (await shownBefore(dataDir, key)) return false;
      notes.push([dataDir, key]);
      return true;
    },
  };
  // The descriptor, not the value: reading globalThis.fetch would load undici (~25 ms).
  const fetch = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  Object.defineProperty(globalThis, 'fetch', {
    configurable: true,
    writable: true,
    value: () => {
      stopFor('touch the network');
      return new Promise(() => {});
    },
  });
  let why: string | undefined;
  try {
    const run = imageResolve(ctx, options, 'resolve');
    await Promise.race([run, stop]);
    why = stopped ?? (engine ? undefined : 'no engine was opened');
  } catch (error) {
    if (interrupt.signal.aborted) process.exitCode = report(error, ctx, options);
    else why = stopped ?? `the command failed (${describe(error)})`;
  } finally {
    if (fetch) Object.defineProperty(globalThis, 'fetch', fetch);
  }
  if (why !== undefined && !interrupt.signal.aborted) {
    interrupt.disarm();
    return fallBack(why, env);
  }
  process.stdout.write(stdout.chunks.join(''));
  process.stderr.write(stderr.chunks.join(''));
  for (const [dataDir, key] of notes) await recordShown(dataDir, key);
  return exitWhenDone();
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
}

/** false: the full CLI runs. Under `STIGMER_FAST_PATH=require` the process ends instead, saying why. */
function fallBack(why: string, env: NodeJS.ProcessEnv): false {
  if (env.STIGMER_FAST_PATH === 'require') {
    process.stderr.write(`stigmer fast path fell back: ${why}\n`);
    process.exit(70);
  }
  return false;
}
