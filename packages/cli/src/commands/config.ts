import { formatDuration, loadSettings, openSession } from '@stigmer/core';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { sessionOptions } from '../session.js';

/** `stigmer config print`: every effective setting with where its value came from. */
export async function configPrint(ctx: CommandContext, options: GlobalOptions) {
  const { output } = ctx;
  const { sources, configFile } = await loadSettings(sessionOptions(options, output));
  const rows = Object.entries(sources).map(([key, { value, source, unit }]) => ({
    key,
    value,
    source,
    unit,
  }));
  if (options.json) {
    output.json({ configFile: configFile ?? null, settings: rows });
    return;
  }
  output.line(`# config file: ${configFile ?? 'none (built-in defaults)'}`);
  const width = Math.max(...rows.map((r) => r.key.length));
  for (const { key, value, source, unit } of rows) {
    const shown = unit === 'ms' && typeof value === 'number' ? formatDuration(value) : show(value);
    const from = source.kind === 'default' ? source.name : `${source.kind} ${source.name}`;
    output.line(`${key.padEnd(width)}  ${shown}  (${from})`);
  }
}

/** `stigmer config validate`: checks the config and every plugin's options, loading the plugins. */
export async function configValidate(ctx: CommandContext, options: GlobalOptions) {
  const { output } = ctx;
  const session = await openSession(sessionOptions(options, output));
  const plugins = session.pipeline.plugins.map((p) => p.plugin.name);
  if (options.json) {
    output.json({ ok: true, configFile: session.configFile ?? null, plugins });
    return;
  }
  output.line(
    session.configFile
      ? `${session.configFile} is valid; plugins: ${plugins.join(', ')}`
      : `No config file found; the built-in default chain applies: ${plugins.join(', ')}`,
  );
}

function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
