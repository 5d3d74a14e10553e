import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type ConfigIssue, issuesError } from '../config/issues.js';
import type { PluginSpec } from '../config/settings.js';
import { ConfigError } from '../errors.js';
import { importUserModule } from '../user-module.js';
import { checkApiVersion } from './api-version.js';
import { findInstalledPackage, type InstalledPackage } from './installed.js';
import { isPathSpecifier, packageCandidates } from './specifier.js';
import type { LoadedPlugin, OptionsSchema, StigmerPlugin } from './types.js';

/** A module that provides a plugin: what `import()` of a plugin package returns. */
export type PluginModule = Record<string, unknown>;

/** Where plugins are looked for. */
export interface LoadPluginsOptions {
  /** Folder that relative paths and package names resolve from: the config file's folder, else the cwd. */
  fromDir: string;
  /** Where the specs came from, for messages (`/x/.stigmerrc`, or `the built-in default`). */
  origin: string;
  /**
   * Plugin packages bundled with the host (the CLI), by package name. Used
   * when the package is not installed in `fromDir`'s node_modules chain, or
   * is installed with `builtinVersion`.
   */
  builtins?: Readonly<Record<string, () => Promise<PluginModule>>>;
  /**
   * The version of the bundled plugin packages. An installed package of that
   * version is the bundled code, so the bundled copy stands in for it: no
   * second copy of core to load. Another version is loaded from node_modules.
   */
  builtinVersion?: string | undefined;
  /** Validate options with the plugin's schema (false only for the host's embedded default chain). */
  validateOptions: boolean;
  /** Resolve from `fromDir` at all (false for the embedded default: nothing to search). */
  searchInstalled: boolean;
}

/**
 * Loads the plugins named in settings, in order, with validated options.
 * Every plugin is tried before anything is thrown, so one run reports every
 * missing plugin and every options problem (one error listing them all).
 */
export async function loadPlugins(
  specs: readonly PluginSpec[],
  options: LoadPluginsOptions,
): Promise<LoadedPlugin[]> {
  const { loaded, errors } = await loadEachPlugin(specs, options);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw combinedError(errors, options.origin);
  return loaded;
}

/** Loads every plugin it can; the ones that fail give their error instead, in config order. */
export async function loadEachPlugin(
  specs: readonly PluginSpec[],
  options: LoadPluginsOptions,
): Promise<{ loaded: LoadedPlugin[]; errors: ConfigError[] }> {
  // Import all at once (module loading is I/O), then validate in config order.
  const modules = await Promise.allSettled(specs.map((spec) => importPlugin(spec, options)));
  const loaded: LoadedPlugin[] = [];
  const errors: ConfigError[] = [];
  for (const [i, spec] of specs.entries()) {
    try {
      const imported = modules[i] as PromiseSettledResult<Imported>;
      if (imported.status === 'rejected') throw imported.reason;
      const { module, loadedFrom, installed } = imported.value;
      const plugin = toPlugin(module, spec, loadedFrom);
      const pluginOptions = options.validateOptions
        ? await pluginOptionsFor(plugin, spec, options.origin, loadedFrom)
        : (plugin.defaultOptions ?? spec.options);
      loaded.push({
        plugin,
        options: pluginOptions,
        specifier: spec.specifier,
        loadedFrom,
        index: spec.index,
        ...(installed ? { installed } : {}),
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(error);
    }
  }
  return { loaded, errors };
}

/** One error for several plugin problems: each message in turn, the first one's code. */
function combinedError(errors: readonly ConfigError[], origin: string): ConfigError {
  const first = errors[0] as ConfigError;
  const body = errors.map((e) => `  - ${e.message.split('\n').join('\n    ')}`).join('\n');
  return new ConfigError(first.code, `${errors.length} plugin problems in ${origin}:\n${body}`, {
    details: { errors: errors.map((e) => ({ code: e.code, message: e.message, ...e.details })) },
  });
}

interface Imported {
  module: PluginModule;
  loadedFrom: string;
  /** A bundled plugin's package as installed in node_modules, when it is. */
  installed?: InstalledPackage;
}

async function importPlugin(spec: PluginSpec, options: LoadPluginsOptions): Promise<Imported> {
  const tried: string[] = [];
  if (isPathSpecifier(spec.specifier)) {
    const url = spec.specifier.startsWith('file:')
      ? spec.specifier
      : pathToFileURL(path.resolve(options.fromDir, spec.specifier)).href;
    return { module: await importModule(url, spec), loadedFrom: url };
  }
  const candidates = packageCandidates(spec.specifier);
  if (options.searchInstalled) {
    const parent = pathToFileURL(path.join(options.fromDir, 'noop.js')).href;
    for (const name of candidates) {
      const builtin = options.builtins?.[name];
      const installed = builtin ? await findInstalledPackage(name, options.fromDir) : undefined;
      // The fast path: the installed package is the code bundled with the host.
      if (builtin && installed && installed.version === options.builtinVersion) {
        return { module: await builtin(), loadedFrom: `builtin:${name}`, installed };
      }
      try {
        const url = await resolvePackage(name, parent);
        return {
          module: await importModule(url, spec),
          loadedFrom: url,
          ...(installed ? { installed } : {}),
        };
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        if (!isNotFound(error)) throw brokenPackage(spec, name, options, error);
        tried.push(`${name} from ${options.fromDir}`);
      }
    }
  }
  for (const name of candidates) {
    const builtin = options.builtins?.[name];
    if (builtin) return { module: await builtin(), loadedFrom: `builtin:${name}` };
    tried.push(`${name} bundled with stigmer`);
  }
  throw new ConfigError(
    'PLUGIN_NOT_FOUND',
    [
      `Cannot find plugin "${spec.specifier}" (plugins[${spec.index}] in ${options.origin}).`,
      'Tried:',
      ...tried.map((t) => `  - ${t}`),
      `Install it where your config is: npm install --save-dev ${candidates.at(-1)}`,
    ].join('\n'),
    { details: { specifier: spec.specifier, index: spec.index, tried } },
  );
}

/** An installed package Node cannot resolve (a damaged package.json, say): named, with the fix. */
function brokenPackage(
  spec: PluginSpec,
  name: string,
  options: LoadPluginsOptions,
  error: unknown,
): ConfigError {
  // The resolver says it was importing from a stand-in file in the config folder: not worth reading.
  const reason = (error as Error).message.replace(/ while importing "[^"]*" from \S*noop\.js/, '');
  return new ConfigError(
    'PLUGIN_INVALID',
    `Plugin "${spec.specifier}" (plugins[${spec.index}] in ${options.origin}): the ${name} installed for ${options.fromDir} cannot be loaded: ${reason}. Reinstall it (npm install --save-dev ${name}) or remove it.`,
    { cause: error, details: { specifier: spec.specifier, index: spec.index } },
  );
}

let resolver: Promise<(specifier: string, parent: string) => string> | undefined;

/** Node's ESM resolution from `parent`; the resolver loads only when a plugin needs it. */
async function resolvePackage(name: string, parent: string): Promise<string> {
  resolver ??= import('import-meta-resolve').then((m) => m.resolve);
  return (await resolver)(name, parent);
}

async function importModule(url: string, spec: PluginSpec): Promise<PluginModule> {
  try {
    return await importUserModule(
      url,
      () =>
        new ConfigError(
          'PLUGIN_INVALID',
          `Plugin "${spec.specifier}" (${url}) never finished loading: its top-level await waits for something that can never happen (a promise nothing settles).`,
          { details: { specifier: spec.specifier, index: spec.index } },
        ),
    );
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if (isNotFound(error) && String((error as Error).message).includes(url.replace('file://', ''))) {
      throw new ConfigError(
        'PLUGIN_NOT_FOUND',
        `Cannot find plugin "${spec.specifier}" (plugins[${spec.index}]): no file at ${new URL(url).pathname}.`,
        { details: { specifier: spec.specifier, index: spec.index, tried: [url] } },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      'PLUGIN_INVALID',
      `Plugin "${spec.specifier}" (${url}) failed to load: ${message}`,
      {
        cause: error,
        details: { specifier: spec.specifier, index: spec.index },
      },
    );
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (
    code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED'
  );
}

/** Accepts a default (or `plugin`) export that is a plugin object or a factory returning one. */
function toPlugin(module: PluginModule, spec: PluginSpec, loadedFrom: string): StigmerPlugin<unknown> {
  const exported = module.default ?? module.plugin;
  let candidate: unknown;
  try {
    candidate = typeof exported === 'function' ? (exported as () => unknown)() : exported;
  } catch (error) {
    throw pluginBroken(spec, loadedFrom, 'its factory (the default export) threw', error);
  }
  const p = candidate as Partial<StigmerPlugin<unknown>> | undefined;
  if (!p || typeof p.name !== 'string' || typeof p.version !== 'string' || typeof p.apply !== 'function') {
    throw new ConfigError(
      'PLUGIN_INVALID',
      `"${spec.specifier}" (${loadedFrom}) is not a stigmer plugin: its default export must be a plugin { name, version, apply } or a function returning one (see definePlugin in @stigmer/core).`,
      { details: { specifier: spec.specifier, index: spec.index } },
    );
  }
  checkApiVersion(p as StigmerPlugin<unknown>, { specifier: spec.specifier, index: spec.index, loadedFrom });
  return p as StigmerPlugin<unknown>;
}

/** `PLUGIN_INVALID` for a plugin whose own code failed while stigmer set it up. */
function pluginBroken(spec: PluginSpec, loadedFrom: string, what: string, error: unknown): ConfigError {
  const message = error instanceof Error ? error.message : String(error);
  return new ConfigError(
    'PLUGIN_INVALID',
    `Plugin "${spec.specifier}" (${loadedFrom}) is broken: ${what}: ${message}. This is a bug in the plugin: report it to its authors.`,
    { cause: error, details: { specifier: spec.specifier, index: spec.index } },
  );
}

/**
 * One issue per unknown option, at the option's own path (as the config
 * file's unknown keys), so every message reads `plugins[1][1].regsitry: ...`.
 */
function optionIssues(
  issue: { message: string; path?: readonly (PropertyKey | { key: PropertyKey })[] | undefined },
  plugin: string,
): ConfigIssue[] {
  const path = issue.path ?? [];
  const { code, keys } = issue as { code?: unknown; keys?: unknown };
  if (code === 'unrecognized_keys' && Array.isArray(keys)) {
    return keys.map((key) => ({
      path: [...path, String(key)],
      message: `unknown option (not an option of ${plugin})`,
    }));
  }
  return [{ path, message: issue.message.replace(/^Invalid input: /, '') }];
}

/**
 * The options a plugin gets for a config entry: its `defaultOptions` when
 * the entry gives none (the validator is not even loaded), else what its
 * schema makes of them. Issues are reported at the entry's position,
 * `plugins[<index>][1].<option>`, in the format of every settings error.
 */
export async function pluginOptionsFor(
  plugin: StigmerPlugin<unknown>,
  spec: PluginSpec,
  origin: string,
  loadedFrom: string,
): Promise<unknown> {
  const given = Object.keys(spec.options).length > 0;
  if (!given && plugin.defaultOptions !== undefined) return plugin.defaultOptions;
  const schemaOrLoader = plugin.optionsSchema as OptionsSchema<unknown> | undefined;
  if (!schemaOrLoader) return spec.options;
  let result: Awaited<ReturnType<StandardSchemaV1<unknown, unknown>['~standard']['validate']>>;
  try {
    const schema = typeof schemaOrLoader === 'function' ? await schemaOrLoader() : schemaOrLoader;
    result = await schema['~standard'].validate(spec.options);
  } catch (error) {
    throw pluginBroken(spec, loadedFrom, 'its options schema failed to load or to run', error);
  }
  if (!result.issues) return result.value;
  throw issuesError(
    'PLUGIN_OPTIONS_INVALID',
    `${origin} (options of plugin "${plugin.name}")`,
    result.issues.flatMap((i) => optionIssues(i, plugin.name)),
    ['plugins', spec.index, 1],
  );
}
