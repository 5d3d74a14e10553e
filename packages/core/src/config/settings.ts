import { parseDuration } from '../duration.js';
import { ConfigError } from '../errors.js';
import type { PullPolicy } from '../image/types.js';
import { DECLARED_SETTINGS, type DeclaredSetting, type SettingValues } from './declarations.js';
import type { HomeConfig } from './home-config.js';
import type { ConfigFile, PluginEntry } from './schema-types.js';

/** Where a setting's value came from, for `stigmer config print`. */
export interface SettingSource {
  kind: 'flag' | 'env' | 'file' | 'default';
  /** `--platform`, `STIGMER_PLATFORM`, the config file's path, or `built-in default`. */
  name: string;
}

/** A plugin as the settings name it, before it is loaded. */
export interface PluginSpec {
  specifier: string;
  options: Record<string, unknown>;
  /** Position in the `plugins` list, for error paths such as `plugins[1][1].registry`. */
  index: number;
}

/**
 * Every setting, with defaults applied, in the shape of the config file
 * (`settings.image.localTag`, `settings.pull.retryDelay` in ms,
 * `settings.timeouts.resolveImage`): each one declared once, in
 * `declarations.ts`. `plugins` is the chain the settings name.
 */
export type Settings = SettingValues & { plugins: PluginSpec[] };

/** Settings with the source of each value. */
export interface ResolvedSettings {
  settings: Settings;
  /** Keyed by the setting's key in config (`image.platform`, `timeouts.resolveImage`, `plugins`). */
  sources: Record<string, { value: unknown; source: SettingSource; unit?: 'ms' }>;
}

/** What `resolveSettings` layers, highest precedence first: flags, environment, file, defaults. */
export interface SettingInputs {
  /** Flag values by setting key (`{ 'image.platform': 'linux/arm64' }`), with the flag's name. */
  flags?: Record<string, { value: string; flag: string }>;
  env: Readonly<Record<string, string | undefined>>;
  file?: { path: string; config: ConfigFile } | undefined;
  /** The original CLI's `~/.stigmer/config.yaml`, below the config file: only its LLM settings. */
  homeConfig?: HomeConfig | undefined;
  /** The plugin chain used when the file gives none (the CLI's embedded default). */
  defaultPlugins: readonly string[];
}

/** Layers flags over environment over file over defaults, recording where each value came from. */
export function resolveSettings(inputs: SettingInputs): ResolvedSettings {
  const sources: ResolvedSettings['sources'] = {};
  const envIssues: { key: string; message: string }[] = [];
  const values: Record<string, unknown> = {};
  for (const setting of DECLARED_SETTINGS) {
    const resolved = resolveOne(setting, inputs, envIssues);
    if (!resolved) continue;
    if (setting.kind.unit) resolved.unit = setting.kind.unit;
    sources[setting.key] = resolved;
    setAt(values, setting.path, resolved.value);
  }
  if (envIssues.length > 0) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `Invalid stigmer settings in the environment:\n${envIssues.map((i) => `  - ${i.key}: ${i.message}`).join('\n')}`,
      { details: { source: 'the environment', issues: envIssues } },
    );
  }
  const filePlugins = inputs.file?.config.plugins;
  sources.plugins =
    filePlugins && inputs.file
      ? { value: filePlugins, source: { kind: 'file', name: inputs.file.path } }
      : { value: inputs.defaultPlugins, source: { kind: 'default', name: 'built-in default' } };
  return {
    sources,
    settings: {
      ...(values as SettingValues),
      plugins: toSpecs((filePlugins ?? inputs.defaultPlugins) as readonly PluginEntry[]),
    },
  };
}

/** One setting's value and source: the flag, else the environment, the file, the home config, the default. */
function resolveOne(
  setting: DeclaredSetting,
  inputs: SettingInputs,
  envIssues: { key: string; message: string }[],
): ResolvedSettings['sources'][string] | undefined {
  const flag = inputs.flags?.[setting.key];
  if (flag !== undefined) {
    const parsed = setting.kind.parse(flag.value);
    if ('error' in parsed)
      throw new ConfigError('CONFIG_INVALID', `Invalid value for ${flag.flag}: ${parsed.error}.`, {
        details: { source: 'the command line', issues: [{ key: flag.flag, message: parsed.error }] },
      });
    return { value: parsed.value, source: { kind: 'flag', name: flag.flag } };
  }
  const envText = inputs.env[setting.env];
  if (envText !== undefined && envText !== '') {
    const parsed = setting.kind.parse(envText);
    if (!('error' in parsed)) return { value: parsed.value, source: { kind: 'env', name: setting.env } };
    envIssues.push({ key: `${setting.env} (${setting.key})`, message: parsed.error });
    return undefined;
  }
  const fileValue = inputs.file && setting.inFile ? valueAt(inputs.file.config, setting.path) : undefined;
  if (fileValue !== undefined && inputs.file)
    return { value: setting.kind.fromFile(fileValue), source: { kind: 'file', name: inputs.file.path } };
  const homeValue = setting.home ? inputs.homeConfig?.llm[setting.home] : undefined;
  if (homeValue !== undefined && inputs.homeConfig)
    return { value: homeValue, source: { kind: 'file', name: inputs.homeConfig.path } };
  return { value: setting.default, source: { kind: 'default', name: 'built-in default' } };
}

function valueAt(tree: object, path: readonly string[]): unknown {
  let node: unknown = tree;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function setAt(tree: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}

/** `24h` is the `newer` policy checked at most once per 24 hours; the named policies are themselves. */
export function pullPolicyOf(text: string): { pullPolicy: PullPolicy; pullInterval: number | undefined } {
  if (['missing', 'always', 'never', 'newer'].includes(text))
    return { pullPolicy: text as PullPolicy, pullInterval: undefined };
  return { pullPolicy: 'newer', pullInterval: parseDuration(text) };
}

function toSpecs(entries: readonly PluginEntry[]): PluginSpec[] {
  return entries.map((entry, index) =>
    typeof entry === 'string'
      ? { specifier: entry, options: {}, index }
      : { specifier: entry[0], options: entry[1] ?? {}, index },
  );
}
