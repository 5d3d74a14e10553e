import path from 'node:path';
import { CREDENTIALS_PLUGIN } from '../credentials/providers.js';
import { ConfigError, type ErrorCode, isStigmerError } from '../errors.js';
import { loadEachPlugin } from '../plugin/load.js';
import type { SessionOptions } from '../session.js';
import { formatKeyPath } from './issues.js';
import { checkConfigObject, readConfigFile } from './load.js';
import { type PluginSpec, resolveSettings } from './settings.js';

/** One thing wrong with the configuration, wherever it is. */
export interface ConfigProblem {
  /** The config file's path, `the environment` or `the command line`. */
  where: string;
  /** The key path in the file (`plugins[2][1].logLevel`), or the variable or flag. */
  key: string;
  /** What was expected, or what went wrong. */
  message: string;
  code: ErrorCode;
}

/** What `checkConfiguration` found. */
export interface ConfigCheck {
  configFile: string | undefined;
  /** Names of the plugins that loaded, in chain order. */
  plugins: string[];
  problems: ConfigProblem[];
}

/**
 * Checks everything a run would load, and goes on past each problem so that
 * one run lists them all: the file against the schema, settings from the
 * environment and flags, then every plugin the file names (found, a plugin,
 * options valid), each even when the file has other problems.
 */
export async function checkConfiguration(options: SessionOptions): Promise<ConfigCheck> {
  const problems: ConfigProblem[] = [];
  let file: Awaited<ReturnType<typeof readConfigFile>>;
  try {
    file = await readConfigFile({ cwd: options.cwd, configPath: options.configPath, env: options.env });
  } catch (error) {
    return { configFile: options.configPath, plugins: [], problems: problemsOf(error, '(file)') };
  }
  const where = file?.path;
  if (file) {
    const checked = await checkConfigObject(file.raw);
    if ('issues' in checked) {
      for (const issue of checked.issues) {
        problems.push({
          where: file.path,
          key: formatKeyPath(issue.path),
          message: issue.message,
          code: 'CONFIG_INVALID',
        });
      }
    }
  }
  try {
    resolveSettings({
      flags: options.flags,
      env: options.env,
      file: undefined,
      defaultPlugins: options.defaultPlugins,
    });
  } catch (error) {
    problems.push(...problemsOf(error, '(environment)'));
  }
  const fromFile = pluginSpecs(file?.raw);
  const specs =
    fromFile ?? options.defaultPlugins.map((specifier, index) => ({ specifier, options: {}, index }));
  const { loaded, errors } = await loadEachPlugin(specs, {
    fromDir: where ? path.dirname(where) : options.cwd,
    origin: where ?? 'the built-in default chain',
    builtins: options.builtins,
    validateOptions: true,
    searchInstalled: fromFile !== undefined,
  });
  for (const error of errors) problems.push(...problemsOf(error, '(plugin)', where));
  // Core's credential providers run after every configured plugin, as in a real run.
  const names = [...loaded.map((p) => p.plugin.name), CREDENTIALS_PLUGIN];
  return { configFile: where, plugins: names, problems };
}

/**
 * The plugin entries of a raw config that have the right shape (the schema
 * reports the others), with their positions; `undefined` when the file names
 * no plugins (the default chain applies, and is the CLI's own).
 */
function pluginSpecs(raw: unknown): PluginSpec[] | undefined {
  const list = (raw as { plugins?: unknown } | null | undefined)?.plugins;
  if (!Array.isArray(list)) return undefined;
  const specs: PluginSpec[] = [];
  list.forEach((entry: unknown, index) => {
    if (typeof entry === 'string' && entry) specs.push({ specifier: entry, options: {}, index });
    else if (Array.isArray(entry) && typeof entry[0] === 'string' && entry[0] && entry.length <= 2) {
      const options = entry[1] ?? {};
      if (typeof options === 'object' && !Array.isArray(options))
        specs.push({ specifier: entry[0], options: options as Record<string, unknown>, index });
    }
  });
  return specs;
}

/** An error's problems: its listed issues, else itself at the key its details give. */
function problemsOf(error: unknown, fallbackKey: string, file?: string): ConfigProblem[] {
  if (!isStigmerError(error) || !(error instanceof ConfigError)) throw error;
  const details = error.details as {
    source?: string;
    issues?: { key: string; message: string }[];
    index?: number;
    path?: string;
  };
  const where =
    details.source?.replace(/ \(options of plugin .*\)$/, '') ?? details.path ?? file ?? '(config)';
  if (details.issues) {
    return details.issues.map((i) => ({ where, key: i.key, message: i.message, code: error.code }));
  }
  const key = details.index === undefined ? fallbackKey : `plugins[${details.index}]`;
  return [{ where, key, message: error.message, code: error.code }];
}
