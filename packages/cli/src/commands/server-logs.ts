import { StringDecoder } from 'node:string_decoder';
import { ConfigError } from '@stigmer/core';
import {
  hasRuntimePlugin,
  interruption,
  logsOnRuntime,
  openSession,
  serverLogs as readLogs,
  type Session,
} from '@stigmer/core/host';
import type { CommandContext } from '../boundary.js';
import { exitCodeForSignal } from '../exit-codes.js';
import type { GlobalOptions } from '../options.js';
import { sessionOptions } from '../session.js';

/** Options of `server logs`. */
export interface ServerLogsOptions extends GlobalOptions {
  follow?: boolean;
  /** A count or `all`. */
  tail?: string;
  component?: string;
}

/** Components the original CLI ran next to the agent-runner; this CLI runs none of them. */
const OTHER_COMPONENTS = new Set(['stigmer-server', 'workflow-runner']);

/**
 * `stigmer server logs [-c agent-runner] [--no-follow] [-n N]`: the
 * container's output on stdout, followed until Ctrl-C by default (as the
 * original CLI did), with the values of its secret environment variables
 * masked line by line; with `--json`, one `{"ok":true,"line":...}` document
 * per line. Ending a follow with Ctrl-C is how it is meant to end: no
 * message, and the signal's exit status as a shell would report it.
 */
export async function serverLogs(ctx: CommandContext, options: ServerLogsOptions) {
  const component = options.component ?? 'agent-runner';
  if (OTHER_COMPONENTS.has(component)) {
    throw new ConfigError(
      'COMPONENT_NOT_MANAGED',
      `The ${component} component is not run by this CLI: it manages only the agent-runner container, so it has no ${component} logs to show. Use \`stigmer server logs\` (or -c agent-runner) for the agent-runner's output; see ${component}'s logs where it runs.`,
      { details: { component, managed: ['agent-runner'] } },
    );
  }
  const { output } = ctx;
  const session = await openSession(sessionOptions(options, output, ctx.signal));
  ctx.session = session;
  const tail = options.tail === undefined || options.tail === 'all' ? undefined : Number(options.tail);
  const request = { signal: ctx.signal, follow: Boolean(options.follow), tail };
  const logs = hasRuntimePlugin(session)
    ? await runtimeLogs(session, request)
    : await readLogs(session, request);
  const secrets = logs.secrets.filter((s) => s.length >= 4);
  const mask = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
  // With --json each line is a document of its own (JSON lines): a followed log never ends.
  const emit = options.json
    ? (text: string) => {
        const lines = text.split('\n');
        if (lines.at(-1) === '') lines.pop();
        for (const line of lines) process.stdout.write(`${JSON.stringify({ ok: true, line })}\n`);
      }
    : (text: string) => process.stdout.write(text);
  let pending = '';
  // A chunk may end inside a multi-byte character; the decoder keeps the rest for the next one.
  const decoder = new StringDecoder('utf8');
  // The reader went away (`server logs | head`): stop reading, quietly. With
  // follow on by default, that is how a piped follow normally ends.
  let readerGone = false;
  await new Promise<void>((resolve, reject) => {
    const onStdoutError = (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') return reject(error);
      readerGone = true;
      (logs.stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      resolve();
    };
    process.stdout.on('error', onStdoutError);
    logs.stream.on('data', (chunk: Buffer | string) => {
      if (readerGone) return;
      // Whole lines only, so a secret split across chunks is still masked.
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      const end = pending.lastIndexOf('\n');
      if (end === -1) return;
      emit(mask(pending.slice(0, end + 1)));
      pending = pending.slice(end + 1);
    });
    logs.stream.on('end', resolve);
    logs.stream.on('error', reject);
  });
  if (readerGone) return;
  pending += decoder.end();
  if (pending) emit(mask(pending));
  if (ctx.signal.aborted) {
    const interrupted = interruption(ctx.signal);
    if (!options.follow) throw interrupted;
    process.exitCode = exitCodeForSignal(interrupted.signal);
  }
}

/**
 * A runtime plugin's stream (each line names its task). Its secrets cannot be
 * read back from the runtime, so the values to mask are those the secret
 * variables have in this environment, as `server start` used them.
 */
async function runtimeLogs(session: Session, request: Parameters<typeof logsOnRuntime>[1]) {
  const { stream, secretEnv } = await logsOnRuntime(session, request);
  return { stream, secrets: (secretEnv ?? []).flatMap((key) => process.env[key] ?? []) };
}
