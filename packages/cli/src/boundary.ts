import { type EngineEndpoint, isStigmerError } from '@stigmer/core';
import type { Session, SessionOptions } from '@stigmer/core/host';
import { EXIT_CODES, EXIT_INTERNAL, exitCodeForSignal } from './exit-codes.js';
import { debugText, internalErrorMessage } from './internal-error.js';
import type { GlobalOptions } from './options.js';
import { explainBlock, traceJson } from './output/explain.js';
import { Output } from './output/output.js';
import { type Interrupts, interrupts } from './signals.js';

/** What a command's body gets: where to write, when to stop, and slots for what it found. */
export interface CommandContext {
  output: Output;
  /** Aborts on SIGINT/SIGTERM, once the command is interruptible (see `interruptible`). */
  signal: AbortSignal;
  /**
   * Set by the command once opened, so a failure can still print the trace and the config file.
   * Setting it also makes the command interruptible: its config and plugins
   * are loaded, and what follows can be undone on Ctrl-C.
   */
  session?: Session;
  /** Set once the engine answered, so a failure can still name it. */
  endpoint?: EngineEndpoint;
  /**
   * From here on Ctrl-C (SIGINT, SIGTERM) unwinds the command: it releases
   * what it holds and exits 130/143. Before, while user code loads, the
   * signal ends the process at once (see `signals.ts`).
   */
  interruptible(): void;
  /** What the host replaces in the session it opens (the fast path's engine and notices). */
  sessionOverrides?: Pick<SessionOptions, 'engine' | 'firstTime'>;
}

/** Opens the engine of a session and keeps its address for `--explain`, whatever happens next. */
export async function connectEngine(ctx: CommandContext, session: Session): Promise<EngineEndpoint> {
  ctx.endpoint = await session.engine.connect();
  return ctx.endpoint;
}

/**
 * The CLI's one error boundary: runs a command body, turns any error into one
 * clear message (stack only with `--debug`) and the exit code its `code` maps to.
 */
export async function runCommand(
  options: GlobalOptions,
  body: (ctx: CommandContext) => Promise<void>,
): Promise<void> {
  const { ctx } = commandContext(new Output(options));
  try {
    await body(ctx);
  } catch (error) {
    process.exitCode = report(error, ctx, options);
  }
}

/** A command's context writing to `output`, and its interrupt (armed once a session is set). */
export function commandContext(output: Output): { ctx: CommandContext; interrupt: Interrupts } {
  const interrupt = interrupts();
  let session: Session | undefined;
  const ctx: CommandContext = {
    output,
    signal: interrupt.signal,
    get session() {
      return session;
    },
    set session(value) {
      session = value;
      interrupt.arm();
    },
    interruptible: () => interrupt.arm(),
  };
  return { ctx, interrupt };
}

/** Prints a command's failure (text, or the `--json` document) and returns its exit code. */
export function report(error: unknown, ctx: CommandContext, options: GlobalOptions): number {
  const { output, session, endpoint } = ctx;
  const trace = session?.pipeline.trace ?? [];
  const known = isStigmerError(error);
  const code = known ? error.code : 'INTERNAL';
  const exit = known
    ? error.code === 'INTERRUPTED'
      ? exitCodeForSignal(String(error.details.signal))
      : (EXIT_CODES[error.code] ?? EXIT_INTERNAL)
    : EXIT_INTERNAL;
  const message = known ? error.message : internalErrorMessage(error);
  if (options.json) {
    const { plugin, hook, details } = known ? error : { plugin: undefined, hook: undefined, details: {} };
    output.document({
      ok: false,
      error: { code, message, exitCode: exit, plugin, hook, details },
      engine: endpoint ?? null,
      configFile: session ? (session.configFile ?? null) : null,
      trace: traceJson(trace),
      warnings: output.warnings,
    });
  } else {
    output.error(message);
    if (options.explain) {
      const places = {
        endpoint,
        engineDown: code === 'ENGINE_UNREACHABLE',
        configFile: session ? session.configFile : null,
        plugins: session?.pipeline.plugins,
      };
      output.error(explainBlock(places, trace).join('\n'));
    }
  }
  if (options.debug) output.error(debugText(error));
  return exit;
}
