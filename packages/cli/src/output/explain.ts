import type { TraceEntry } from '@stigmer/core';

/** The trace as aligned lines: one decision per line, with its messages below. */
export function explainLines(entries: readonly TraceEntry[]): string[] {
  if (entries.length === 0) return ['  (no plugin ran)'];
  const width = (pick: (e: TraceEntry) => string) => Math.max(...entries.map((e) => pick(e).length));
  const [hookW, pluginW, outcomeW] = [width((e) => e.hook), width((e) => e.plugin), width((e) => e.outcome)];
  return entries.flatMap((e) => [
    `  ${String(e.seq).padStart(2)}. ${e.hook.padEnd(hookW)}  ${e.plugin.padEnd(pluginW)}  ${e.outcome.padEnd(outcomeW)}  ${formatMs(e.durationMs).padStart(8)}  ${e.reason ?? ''}`.trimEnd(),
    ...(e.error && !e.reason?.includes(e.error) ? [`        error: ${e.error}`] : []),
    ...e.messages.map((m) => `        ${m.level}: ${m.message}`),
  ]);
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)}ms` : `${(ms / 1000).toFixed(2)}s`;
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
