import { hasRuntimePlugin, type LifecycleEvent, type StartOutcome, startServer } from '@stigmer/core/host';
import { type CommandContext, connectEngine } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { explainBlock, runFacts } from '../output/explain.js';
import type { Output } from '../output/output.js';
import type { ProgressRenderer } from '../output/progress.js';
import { openChainSession } from './chain-session.js';
import { startOnRuntimePlugin } from './server-runtime.js';
import { describeEvent, formatUptime, graceNotices, shortId } from './server-text.js';

/** Options of `server start` and `server restart`. */
export interface ServerStartOptions extends GlobalOptions {
  restart?: boolean;
}

/**
 * `stigmer server start` (and `server restart`): resolves the image through
 * the chain and runs the agent-runner container; says what it did.
 */
export async function serverStart(
  ctx: CommandContext,
  options: ServerStartOptions,
  mode: 'start' | 'restart',
) {
  const { output } = ctx;
  const { session, progress: pulls } = await openChainSession(ctx, options);
  const endpoint = await connectEngine(ctx, session);
  if (hasRuntimePlugin(session)) {
    try {
      return await startOnRuntimePlugin(ctx, session, options, mode, endpoint, () => pulls.finish());
    } finally {
      pulls.finish();
    }
  }
  const notices = graceNotices((line) => output.error(line));
  let outcome: StartOutcome;
  try {
    outcome = await startServer(session, {
      signal: ctx.signal,
      restart: mode === 'restart' ? 'always' : Boolean(options.restart),
      onEvent: (event) => {
        // A pull's bar goes before anything else is printed.
        if (event.type === 'resolved') pulls.finish();
        if (!options.quiet && !options.json) notices(event);
        progress(output, options, event, pulls);
      },
    });
  } finally {
    pulls.finish();
  }
  const trace = session.pipeline.trace;
  if (options.json) {
    output.result({ ...outcome, ...runFacts(session, endpoint) });
    return;
  }
  for (const line of summary(outcome)) output.line(line);
  if (options.explain) {
    const extra = [
      `Data folder: ${outcome.dataDir}`,
      'Container spec (secret values hidden):',
      ...specLines(outcome).map((line) => `  ${line}`),
    ];
    for (const line of explainBlock(
      { endpoint, configFile: session.configFile, plugins: session.pipeline.plugins },
      trace,
      extra,
    ))
      output.line(line);
  }
}

/** Progress on stderr, so stdout keeps only the result. */
function progress(
  output: Output,
  options: GlobalOptions,
  event: LifecycleEvent,
  pulls: ProgressRenderer,
): void {
  if (event.type === 'warning') {
    pulls.beforeWarning();
    output.warn(event.message);
    return;
  }
  if (options.quiet || options.json) return;
  const text = describeEvent(event);
  if (text) output.error(text);
}

function summary(outcome: StartOutcome): string[] {
  const { container, image } = outcome;
  const what = `${container.name} (${shortId(container.id)}) from ${image.reference} (${shortId(image.id)})`;
  const health = container.health === 'none' ? '' : `, ${container.health}`;
  switch (outcome.action) {
    case 'already-running':
      return [
        `${container.name} is already running with the same image and configuration (${shortId(container.id)}, up ${formatUptime(Date.now() - Date.parse(container.startedAt))}${health}).`,
      ];
    case 'restarted':
      return [`Restarted ${what}: running${health}.`, ...outcome.differences.map((d) => `  - ${d}`)];
    default:
      return [`Started ${what}: running${health}.`];
  }
}

function specLines(outcome: StartOutcome): string[] {
  const { spec } = outcome;
  const lines = [
    `name: ${spec.name}`,
    `image: ${spec.image}`,
    `restart: ${spec.restartPolicy ?? '(none)'}`,
    `network: ${spec.networkMode ?? '(default)'}`,
  ];
  if (spec.user) lines.push(`user: ${spec.user}`);
  if (spec.command) lines.push(`command: ${JSON.stringify(spec.command)}`);
  for (const [key, value] of Object.entries(spec.env).sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`env ${key}=${value}`);
  for (const m of spec.mounts) lines.push(`mount ${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
  if (spec.log) {
    const opts = Object.entries(spec.log.options).map(([k, v]) => `${k}=${v}`);
    lines.push(`log: ${spec.log.driver} ${opts.join(' ')}`.trimEnd());
  }
  lines.push(`spec hash: ${outcome.specHash}`);
  return lines;
}
