#!/usr/bin/env node
// Writes what is made from a declaration elsewhere, so each thing is
// declared once:
//
// - the README's settings table, between its `settings:start`/`settings:end`
//   markers, from the settings' declarations (packages/core/src/config/declarations.ts)
//   and the CLI's default chain (packages/cli/src/builtins.ts);
// - each first-party plugin's `src/option-defaults.ts`: what its options
//   schema (`src/options.ts`, defaults in the schema) makes of no options,
//   so that a chain whose config gives none never loads the validator
//   (not for a plugin with a required option, which has no such defaults).
//
//   node scripts/generated.mjs          write the files that differ (npm run generate)
//   node scripts/generated.mjs --check  list stale files and exit 1 (npm run check)
//
// The sources are TypeScript: esbuild bundles each into memory to read it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ROOT, workspacePackages } from './workspace.mjs';

const check = process.argv.includes('--check');
const README = path.join(ROOT, 'README.md');
const START =
  '<!-- settings:start: generated from packages/core/src/config/declarations.ts by scripts/generated.mjs -->';
const END = '<!-- settings:end -->';
/** The option defaults module inside a plugin package. */
const DEFAULTS_FILE = 'src/option-defaults.ts';
/** Where the bundled modules are written to be imported. */
const TEMP = path.join(ROOT, 'node_modules/.cache/stigmer-generated');
mkdirSync(TEMP, { recursive: true });
let loaded = 0;

/** Imports a TypeScript module of the workspace (and what it imports), bundled by esbuild. */
async function load(file) {
  const result = await build({
    entryPoints: [path.join(ROOT, file)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    conditions: ['@stigmer/source'],
    logLevel: 'error',
    // Plugin packages the CLI loads lazily are not needed to read its default chain.
    external: ['@stigmer/plugin-*'],
    // tapable is CommonJS: its require() calls need one in an ES module.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  const out = path.join(TEMP, `${path.basename(file, '.ts')}-${process.pid}-${loaded++}.mjs`);
  writeFileSync(out, result.outputFiles[0].text);
  try {
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}

/** A Markdown table with padded columns, as the rest of the README is written. */
function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

const code = (text) => `\`${text}\``;

/** The README's settings table: one row per setting, the hook timeouts folded into one. */
async function settingsTable() {
  const { DECLARED_SETTINGS, DEFAULT_TIMEOUTS } = await load('packages/core/src/config/declarations.ts');
  const { formatDuration } = await load('packages/core/src/duration.ts');
  const { DEFAULT_PLUGINS } = await load('packages/cli/src/builtins.ts');
  const rows = [[code('plugins'), '', '', code(`[${DEFAULT_PLUGINS.join(', ')}]`)]];
  let timeoutsDone = false;
  for (const setting of DECLARED_SETTINGS) {
    if (setting.key.startsWith('timeouts.')) {
      if (timeoutsDone) continue;
      timeoutsDone = true;
      rows.push([
        code('timeouts.<hook>'),
        `${code('STIGMER_TIMEOUT_<HOOK>')} (e.g. ${code(setting.env)})`,
        '',
        hookTimeouts(DEFAULT_TIMEOUTS, formatDuration),
      ]);
      continue;
    }
    rows.push([code(setting.key), code(setting.env), setting.flag ? code(setting.flag) : '', setting.doc]);
  }
  return table(['key', 'environment', 'flag', 'default'], rows);
}

/** `resolveImage` 30m, ..., `beforeStop`/`afterStop` 1m: neighbours with the same default share it. */
function hookTimeouts(defaults, formatDuration) {
  const groups = [];
  for (const [hook, ms] of Object.entries(defaults)) {
    const last = groups.at(-1);
    if (last && last.ms === ms) last.hooks.push(hook);
    else groups.push({ ms, hooks: [hook] });
  }
  return groups.map((g) => `${g.hooks.map(code).join('/')} ${formatDuration(g.ms)}`).join(', ');
}

/** Each first-party plugin's option defaults module, by path. */
async function optionDefaults() {
  const files = new Map();
  for (const { dir, manifest } of workspacePackages()) {
    const options = path.join(dir, 'src/options.ts');
    if (!manifest.name.startsWith('@stigmer/plugin-') || !existsSync(options)) continue;
    const module = await load(path.relative(ROOT, options));
    const type = readFileSync(options, 'utf8').match(/export type (\w+Options) = z\.output/)?.[1];
    const parsed = module.optionsSchema.safeParse({});
    // A plugin with a required option (rebuild's source) has no defaults to offer.
    if (!parsed.success) continue;
    const defaults = parsed.data;
    files.set(
      path.join(dir, DEFAULTS_FILE),
      [
        '// Generated from options.ts by scripts/generated.mjs (npm run generate): do not edit.',
        `import type { ${type} } from './options.js';`,
        '',
        '/**',
        ' * What the options schema makes of no options (its defaults): the options',
        ' * the plugin gets when the config gives none, without loading the validator.',
        ' */',
        `export const DEFAULT_OPTIONS: ${type} = Object.freeze<${type}>(${JSON.stringify(defaults)});`,
        '',
      ].join('\n'),
    );
  }
  return files;
}

const wanted = await optionDefaults();
const readme = readFileSync(README, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start === -1 || end === -1) throw new Error(`README.md lacks the ${START} ... ${END} markers`);
wanted.set(
  README,
  `${readme.slice(0, start + START.length)}\n\n${await settingsTable()}\n\n${readme.slice(end)}`,
);

const stale = [];
for (const [file, content] of wanted) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === content) continue;
  stale.push(path.relative(ROOT, file));
  if (!check) writeFileSync(file, content);
}
if (check && stale.length > 0) {
  console.error(`generated.mjs: stale, run \`npm run generate\`: ${stale.join(', ')}`);
  process.exit(1);
}
if (!check && stale.length > 0) console.log(`generated.mjs: wrote ${stale.join(', ')}`);
