import { type LoadedPlugin, openSession } from '@stigmer/core/host';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { pluginOrigin } from '../output/plugin-origin.js';
import { sessionOptions } from '../session.js';

/** One row of `stigmer plugins list`. */
interface PluginRow {
  name: string;
  version: string;
  /** As written in config (`ghcr`, `./plugins/x.mjs`). */
  specifier: string;
  /** Position in `plugins`, from 0. */
  index: number;
  /** A file path, or `bundled with stigmer (@stigmer/plugin-x)`. */
  loadedFrom: string;
  /** A first-party package installed beside the config: its version and folder (see `loadedFrom` for which copy ran). */
  installed?: { version: string; path: string };
  hooks: string[];
}

/**
 * `stigmer plugins list`: each plugin of the effective chain, its version,
 * where it was loaded from and the hooks it taps. Loading the plugins is the
 * point (a plugin that fails to load fails here, with the loader's message);
 * the engine is never contacted.
 */
export async function pluginsList(ctx: CommandContext, options: GlobalOptions) {
  const { output } = ctx;
  const session = await openSession(sessionOptions(options, output, ctx.signal));
  const rows = session.pipeline.plugins.map((loaded) =>
    row(loaded, session.pipeline.tapsOf(loaded.plugin.name)),
  );
  if (options.json) {
    output.result({ configFile: session.configFile ?? null, plugins: rows });
    return;
  }
  output.line(`# config file: ${session.configFile ?? 'none (the built-in default chain)'}`);
  const width = (pick: (r: PluginRow) => string) => Math.max(...rows.map((r) => pick(r).length));
  const [nameW, versionW] = [width((r) => r.name), width((r) => r.version)];
  for (const r of rows) {
    output.line(
      `${r.name.padEnd(nameW)}  ${r.version.padEnd(versionW)}  taps ${r.hooks.join(', ') || '(nothing)'}`,
    );
    output.line(`${''.padEnd(nameW)}  ${''.padEnd(versionW)}  from ${r.loadedFrom}`);
  }
}

function row(loaded: LoadedPlugin, taps: readonly string[]): PluginRow {
  const { name, version } = loaded.plugin;
  return {
    name,
    version,
    specifier: loaded.specifier,
    index: loaded.index,
    loadedFrom: pluginOrigin(loaded),
    ...(loaded.installed
      ? { installed: { version: loaded.installed.version, path: loaded.installed.dir } }
      : {}),
    // A plugin may tap a hook more than once; list each hook once, in tap order.
    hooks: [...new Set(taps)],
  };
}
