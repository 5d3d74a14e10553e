import type {
  RuntimeDeployment,
  RuntimeStartOutcome,
  RuntimeStatus,
  RuntimeUnit,
  Session,
} from '@stigmer/core/host';
import { inspectOnRuntime, startOnRuntime, stopOnRuntime } from '@stigmer/core/host';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { explainBlock, runFacts } from '../output/explain.js';
import { describeEvent } from './server-text.js';

/**
 * The server commands when a runtime plugin (`swarm`) runs the agent-runner:
 * the same commands, flags and exit codes, with what they print about a
 * deployment and its units instead of one container.
 */

/** `server start` / `server restart` on a runtime plugin. */
export async function startOnRuntimePlugin(
  ctx: CommandContext,
  session: Session,
  options: GlobalOptions & { restart?: boolean },
  mode: 'start' | 'restart',
  endpoint: unknown,
  onResolved: () => void,
): Promise<void> {
  const { output } = ctx;
  const outcome = await startOnRuntime(session, {
    signal: ctx.signal,
    restart: mode === 'restart' ? 'always' : Boolean(options.restart),
    onEvent: (event) => {
      if (event.type === 'resolved') onResolved();
      if (event.type === 'warning') return output.warn(event.message);
      if (options.quiet || options.json) return;
      const text = describeEvent(event);
      if (text) output.error(text);
    },
  });
  const trace = session.pipeline.trace;
  if (options.json) {
    output.result({ ...outcome, ...runFacts(session, endpoint) });
    return;
  }
  for (const line of startSummary(outcome)) output.line(line);
  if (options.explain) {
    for (const line of explainBlock(
      { endpoint: endpoint as never, configFile: session.configFile, plugins: session.pipeline.plugins },
      trace,
      [`Data folder: ${outcome.dataDir}`, `Spec hash: ${outcome.specHash}`],
    ))
      output.line(line);
  }
}

function startSummary(outcome: RuntimeStartOutcome): string[] {
  const { deployment: d } = outcome;
  const what = `${d.name} (${outcome.runtime} service, ${d.running}/${d.desired} running) from ${d.image}`;
  switch (outcome.action) {
    case 'already-running':
      return [
        `${d.name} is already running with the same image and configuration (${d.running}/${d.desired} replicas running${d.running < d.desired ? `; ${outcome.runtime} is starting the others, \`stigmer server status\` shows them` : ''}).`,
      ];
    case 'updated':
      return [
        `Updated ${what}.`,
        ...outcome.differences.map((line) => `  - ${line}`),
        ...failureLines(outcome.failures, 'Tasks that failed during the update (replaced):'),
      ];
    default:
      return [`Started ${what}.`, ...unitLines(d.units.filter((u) => u.desiredState === 'running'))];
  }
}

/** `server status` on a runtime plugin. */
export async function statusOnRuntimePlugin(ctx: CommandContext, session: Session, options: GlobalOptions) {
  const status = await inspectOnRuntime(session, { signal: ctx.signal });
  if (options.json) {
    ctx.output.result({ ...status, deployment: status.deployment ?? null, state: stateOf(status) });
    return;
  }
  for (const line of statusLines(status)) ctx.output.line(line);
}

function stateOf(status: RuntimeStatus): string {
  const d = status.deployment;
  if (!d) return 'not-found';
  return d.running >= d.desired ? 'running' : d.running > 0 ? 'degraded' : 'starting';
}

function statusLines(status: RuntimeStatus): string[] {
  const d = status.deployment;
  if (!d)
    return [`agent-runner: not running (no ${status.runtime} service)`, `  data folder: ${status.dataDir}`];
  return [
    `agent-runner: ${stateOf(status)} (${d.running}/${d.desired} replicas, ${status.runtime} service)`,
    `  service:     ${d.name} (${d.id.slice(0, 12)})`,
    `  image:       ${d.image}`,
    ...(d.update
      ? [`  update:      ${d.update.state}${d.update.message ? `: ${d.update.message}` : ''}`]
      : []),
    `  data folder: ${status.dataDir}`,
    '  tasks:',
    ...unitLines(d.units),
  ];
}

function unitLines(units: readonly RuntimeUnit[]): string[] {
  return units.map(
    (u) =>
      `    ${u.name.padEnd(24)} ${(u.node ?? '-').padEnd(20)} ${u.state.padEnd(9)} ${digestOf(u.image)}${u.desiredState === u.state ? '' : ` (desired ${u.desiredState})`}${u.error ? ` — ${u.error}` : ''}`,
  );
}

function failureLines(units: readonly RuntimeUnit[], title: string): string[] {
  return units.length === 0 ? [] : [title, ...unitLines(units)];
}

const digestOf = (image: string) => image.match(/@(sha256:[a-f0-9]{12})/)?.[1] ?? image;

/** `server stop` on a runtime plugin. */
export async function stopOnRuntimePlugin(
  ctx: CommandContext,
  session: Session,
  options: GlobalOptions,
  endpoint: unknown,
) {
  const outcome = await stopOnRuntime(session, {
    signal: ctx.signal,
    onEvent: (event) => {
      if (event.type === 'warning') ctx.output.warn(event.message);
    },
  });
  if (options.json) {
    ctx.output.result({ ...outcome, ...runFacts(session, endpoint) });
    return;
  }
  if (outcome.removed.length === 0)
    ctx.output.line(`The agent-runner is not running (no ${outcome.runtime} service); nothing to stop.`);
  else ctx.output.line(`Removed ${outcome.removed.join(', ')}.`);
}

export type { RuntimeDeployment };
