import type { EngineEndpoint } from '@stigmer/core';
import { DockerEngine, dataDirFor, formatDuration, loadSettings } from '@stigmer/core/host';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { sessionOptions } from '../session.js';
import { configSearchLines, configSearchView } from './config-search.js';

/** Where a value in use came from: a setting's source, or what stigmer found. */
interface RowSource {
  kind: 'flag' | 'env' | 'file' | 'default' | 'discovery' | 'engine';
  name: string;
}

interface Row {
  key: string;
  value: unknown;
  source: RowSource;
  unit?: 'ms';
}

/**
 * `stigmer config print`: every effective setting with where its value came
 * from. Settings left to stigmer (the engine, its platform, the data folder)
 * show the value actually in use and how it was found, not "unset".
 */
export async function configPrint(ctx: CommandContext, options: GlobalOptions) {
  const { output } = ctx;
  const session = sessionOptions(options, output);
  const { sources, settings, configFile, configScope } = await loadSettings(session);
  const rows: Row[] = Object.entries(sources).map(([key, { value, source, unit }]) => ({
    key,
    value,
    source,
    ...(unit ? { unit } : {}),
  }));
  const engine = new DockerEngine({
    env: process.env,
    ...(settings.engine.host ? { host: settings.engine.host } : {}),
  });
  const found = await engine.connect().then(
    async (endpoint): Promise<{ endpoint: EngineEndpoint; platform?: string }> => {
      ctx.endpoint = endpoint;
      const platform = await engine.platform().catch(() => undefined);
      return platform ? { endpoint, platform } : { endpoint };
    },
    (error: Error) => ({ error }),
  );
  for (const row of rows) fillInUse(row, found, process.env);
  const search = configSearchView(session.cwd, session.env, configFile);
  if (options.json) {
    output.result({
      configFile: configFile ?? null,
      configScope: configScope ?? null,
      configSearch: configScope === 'flag' ? null : search,
      settings: rows,
    });
    return;
  }
  for (const line of configSearchLines(search, configFile, configScope)) output.line(line);
  const width = Math.max(...rows.map((r) => r.key.length));
  for (const { key, value, source, unit } of rows) {
    const shown = unit === 'ms' && typeof value === 'number' ? formatDuration(value) : show(value);
    const from = source.kind === 'default' ? source.name : `${source.kind} ${source.name}`;
    output.line(`${key.padEnd(width)}  ${shown}  (${from})`);
  }
}

/** The value in use of a setting that was left unset, and how it was found. */
function fillInUse(
  row: Row,
  found: { endpoint: EngineEndpoint; platform?: string } | { error: Error },
  env: Readonly<Record<string, string | undefined>>,
): void {
  if (row.key === 'engine.host' && row.value === undefined) {
    if ('endpoint' in found) {
      row.value = found.endpoint.host;
      row.source = { kind: 'discovery', name: found.endpoint.source };
    } else {
      row.value = null;
      row.source = {
        kind: 'discovery',
        name: 'no engine answered (`stigmer server status` lists where it looked)',
      };
    }
  }
  if (row.key === 'image.platform' && row.value === undefined) {
    row.value = 'platform' in found ? found.platform : null;
    row.source = {
      kind: 'engine',
      name:
        'platform' in found ? "the engine's own platform" : "the engine's own platform (no engine answered)",
    };
  }
  if (row.key === 'server.dataDir') {
    // The folder itself: `~/` expanded, a relative path taken from here.
    const configured = row.value as string | undefined;
    row.value = dataDirFor(configured, env, process.cwd());
    if (configured === undefined)
      row.source = { kind: 'default', name: 'built-in default (~/.stigmer/data)' };
  }
}

function show(value: unknown): string {
  if (value === null) return '(none)';
  if (value === undefined) return '(unset)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
