import type { EngineEndpoint, TraceEntry } from '@stigmer/core';
import type { LoadedPlugin, Session } from '@stigmer/core/host';
import { pluginOrigin } from './plugin-origin.js';

/** The trace as aligned lines: one decision per line, with its messages below. */
export function explainLines(entries: readonly TraceEntry[]): string[] {
  if (entries.length === 0) return ['  (no plugin ran)'];
  const width = (pick: (e: TraceEntry) => string) => Math.max(...entries.map((e) => pick(e).length));
  const [hookW, pluginW, outcomeW] = [width((e) => e.hook), width((e) => e.plugin), width((e) => e.outcome)];
  return entries.flatMap((e) => {
    const head = `  ${String(e.seq).padStart(2)}. ${e.hook.padEnd(hookW)}  ${e.plugin.padEnd(pluginW)}  ${e.outcome.padEnd(outcomeW)}  ${formatMs(e.durationMs).padStart(8)}  `;
    return [
      ...indented(head, e.reason ?? ''),
      ...(e.error && !e.reason?.includes(e.error) ? indented('        error: ', e.error) : []),
      ...e.messages.flatMap((m) => indented(`        ${m.level}: `, m.message)),
    ];
  });
}

/** `head` then `text`; later lines of a multi-line text start under its first character. */
function indented(head: string, text: string): string[] {
  const [first = '', ...rest] = text.split('\n');
  const pad = ' '.repeat(head.length);
  return [`${head}${first}`.trimEnd(), ...rest.map((line) => `${pad}${line}`.trimEnd())];
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)}ms` : `${(ms / 1000).toFixed(2)}s`;
}

/** What `--explain` says about where a run looked, whether it succeeded or not. */
export interface RunPlaces {
  /** The engine in use, once found. */
  endpoint?: EngineEndpoint | undefined;
  /** True when no engine answered. */
  engineDown?: boolean;
  /** The config file in force; `undefined`: none found; `null`: not read (the run failed first). */
  configFile: string | undefined | null;
  /** The plugins loaded, once they are: the first-party ones installed beside the config are listed. */
  plugins?: readonly LoadedPlugin[] | undefined;
}

/** `Engine: ...` and `Config: ...` lines. */
export function placeLines({ endpoint, engineDown, configFile, plugins }: RunPlaces): string[] {
  const engine = endpoint
    ? `${endpoint.host} (${endpoint.source})`
    : engineDown
      ? 'none answered (see above)'
      : 'not contacted';
  const config =
    configFile === null
      ? 'not loaded (see above)'
      : (configFile ?? 'none found; the built-in default chain applies');
  return [`Engine: ${engine}`, `Config: ${config}`, ...(plugins ? pluginLines(plugins) : [])];
}

/**
 * The first-party plugins installed beside the config, and which copy ran:
 * the bundled one (same version) or the installed one (another version).
 * Nothing when there are none, which is the usual case.
 */
export function pluginLines(plugins: readonly LoadedPlugin[]): string[] {
  const installed = plugins.filter((p) => p.index >= 0 && p.installed);
  if (installed.length === 0) return [];
  const width = Math.max(...installed.map((p) => p.plugin.name.length));
  return ['Plugins:', ...installed.map((p) => `  ${p.plugin.name.padEnd(width)}  ${pluginOrigin(p)}`)];
}

/** The trace as `--json` emits it. */
export function traceJson(entries: readonly TraceEntry[]) {
  return entries.map(
    ({ seq, hook, plugin, outcome, reason, reference, error, code, durationMs, messages }) => ({
      seq,
      hook,
      plugin,
      outcome,
      reason,
      reference,
      error,
      code,
      durationMs,
      messages,
    }),
  );
}

/** The `--explain` block after a result or an error: where it looked, anything else, every decision. */
export function explainBlock(
  places: RunPlaces,
  trace: readonly TraceEntry[],
  extra: readonly string[] = [],
): string[] {
  return ['', ...placeLines(places), ...extra, 'Decisions:', ...explainLines(trace)];
}

/**
 * What every command's JSON document ends with, after its own fields: the
 * engine it used, the config file (null for none) and the run's trace.
 */
export function runFacts(session: Pick<Session, 'configFile' | 'pipeline'>, endpoint: unknown) {
  return {
    engine: endpoint,
    configFile: session.configFile ?? null,
    trace: traceJson(session.pipeline.trace),
  };
}
