import { type EngineEndpoint, isStigmerError, type Session } from '@stigmer/core';
import { EXIT_CODES, EXIT_INTERNAL, exitCodeForSignal } from './exit-codes.js';
import type { GlobalOptions } from './options.js';
import { explainBlock, traceJson } from './output/explain.js';
import { Output } from './output/output.js';
import { interruptSignal } from './signals.js';

/** What a command's body gets: where to write, when to stop, and slots for what it found. */
export interface CommandContext {
  output: Output;
  signal: AbortSignal;
  /** Set by the command once opened, so a failure can still print the trace and the config file. */
  session?: Session;
  /** Set once the engine answered, so a failure can still name it. */
  endpoint?: EngineEndpoint;
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
  const ctx: CommandContext = { output: new Output(options), signal: interruptSignal() };
  try {
    await body(ctx);
  } catch (error) {
    process.exitCode = report(error, ctx, options);
  }
}

function report(error: unknown, ctx: CommandContext, options: GlobalOptions): number {
  const { output, session, endpoint } = ctx;
  const trace = session?.pipeline.trace.entries ?? [];
  const known = isStigmerError(error);
  const code = known ? error.code : 'INTERNAL';
  const exit = known
    ? error.code === 'INTERRUPTED'
      ? exitCodeForSignal(String(error.details.signal))
      : (EXIT_CODES[error.code] ?? EXIT_INTERNAL)
    : EXIT_INTERNAL;
  const message = known
    ? error.message
    : `Internal error: ${error instanceof Error ? error.message : String(error)}\nThis is a bug in stigmer; rerun with --debug and report the output.`;
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

function debugText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined; e = e instanceof Error ? e.cause : undefined) {
    parts.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
    if (parts.length > 5) break;
  }
  return `\n--debug:\n${parts.join('\ncaused by: ')}`;
}
