import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { acceptConfig } from './accept.js';
import { DECLARED_SETTINGS } from './declarations.js';
import { type ConfigIssue, issuesError } from './issues.js';
import { configLoaders, unreadable } from './loaders.js';
import { plainRead } from './plain-read.js';
import type { ConfigFile } from './schema-types.js';
import { existingConfigFiles, SEARCH_PLACES, type SearchEnv, searchSteps } from './search-places.js';

/** A config file found and validated. */
export interface LoadedConfigFile {
  path: string;
  config: ConfigFile;
  /**
   * How it was found: `flag` (`--config`), `project` (the current folder up
   * to the project root) or `user` (the home folder or the user config folder,
   * read only when no project config exists).
   */
  scope: 'flag' | 'project' | 'user';
}

/** Where to look. `configPath` (from `--config`) loads exactly that file and searches nothing. */
export interface FindConfigOptions {
  cwd: string;
  configPath?: string | undefined;
  /** For the home folder (`HOME`) and the user config folder (`XDG_CONFIG_HOME`, `APPDATA`). Default `process.env`. */
  env?: SearchEnv | undefined;
  /** `false`: always read through cosmiconfig (the tests that hold `plainRead` to it). */
  plain?: boolean | undefined;
}

const MODULE = 'stigmer';

/** More plugins than anyone chains; a list longer than this is a mistake (or an attack). */
export const MAX_PLUGINS = 64;

/**
 * Finds and validates the config file, or returns `undefined` when there is
 * none (the embedded default applies).
 *
 * First the project: search strategy `project`, chosen on purpose: start in
 * the current folder and walk up, stopping at the first folder that has a
 * package.json (the project root); without one, the walk goes up to the
 * filesystem root. A config in a parent project therefore applies to all its
 * subfolders, but one project's config never leaks into another's. Only when
 * the project has none, the user-level places of cosmiconfig's global
 * search: the home folder (`~/.stigmerrc`...), then the user config folder
 * (`~/.config/stigmer/config.yaml`...), so a CLI installed globally and run
 * from any folder still finds its user's settings. When no file can exist on
 * that path (the common case), cosmiconfig is not even loaded.
 */
export async function findConfig(options: FindConfigOptions): Promise<LoadedConfigFile | undefined> {
  const found = await readConfigFile(options);
  if (!found) return undefined;
  return { path: found.path, config: await validateConfig(found.raw, found.path), scope: found.scope };
}

/** Finds and reads the config file without validating it (see `findConfig`). */
export async function readConfigFile(
  options: FindConfigOptions,
): Promise<{ path: string; raw: unknown; scope: LoadedConfigFile['scope'] } | undefined> {
  const env = options.env ?? process.env;
  if (options.configPath && !existsSync(path.resolve(options.cwd, options.configPath))) {
    return readGiven(path.resolve(options.cwd, options.configPath));
  }
  // The plain case (a JSON or YAML file) without loading cosmiconfig; anything else through it.
  if (options.plain !== false) {
    const plain = await plainRead(options.cwd, env, options.configPath);
    if (plain) return plain;
  }
  if (options.configPath) return readGiven(path.resolve(options.cwd, options.configPath));
  const existing = existingConfigFiles(options.cwd, env);
  if (existing.length === 0) return undefined;
  const { cosmiconfig, defaultLoaders } = await loadCosmiconfig();
  // Created inside readWith: creating an explorer already reads the current folder's package.json.
  const explorer = (searchStrategy: 'project' | 'none', places: readonly string[]) =>
    cosmiconfig(MODULE, {
      searchStrategy,
      searchPlaces: [...places],
      loaders: configLoaders(defaultLoaders as never),
      cache: false,
    });
  const project = await readWith(() => explorer('project', SEARCH_PLACES).search(options.cwd), options.cwd);
  if (project) return read(project, 'project');
  for (const step of searchSteps(options.cwd, env)) {
    const candidates = step.places.map((place) => path.join(step.folder, place));
    if (step.scope !== 'user' || !candidates.some((file) => existing.includes(file))) continue;
    const found = await readWith(() => explorer('none', step.places).search(step.folder), step.folder);
    if (found) return read(found, 'user');
  }
  return undefined;
}

/** `--config PATH`: that file or an error, nothing searched. */
async function readGiven(file: string) {
  if (!existsSync(file)) {
    throw new ConfigError('CONFIG_NOT_FOUND', `The config file ${file} (from --config) does not exist.`, {
      details: { path: file },
    });
  }
  // A device (/dev/zero) or a FIFO would be read forever; a folder cannot be read at all.
  if (!statSync(file).isFile()) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `The config file ${file} (from --config) is not a regular file. Pass a JSON, YAML or JavaScript config file.`,
      { details: { path: file } },
    );
  }
  const { cosmiconfig, defaultLoaders } = await loadCosmiconfig();
  const result = await readWith(
    () => cosmiconfig(MODULE, { loaders: configLoaders(defaultLoaders as never), cache: false }).load(file),
    file,
  );
  return read(result ?? { filepath: file, config: {}, isEmpty: true }, 'flag');
}

// cosmiconfig is CommonJS: its exports are on `default` both under Node and in the bundle.
async function loadCosmiconfig() {
  return (await import('cosmiconfig')).default;
}

function read(
  result: { filepath: string; config: unknown; isEmpty?: boolean },
  scope: LoadedConfigFile['scope'],
): { path: string; raw: unknown; scope: LoadedConfigFile['scope'] } {
  return { path: result.filepath, raw: result.isEmpty ? {} : result.config, scope };
}

/** Validates a config object strictly; errors name the file, the key and what was expected. */
export async function validateConfig(raw: unknown, where: string): Promise<ConfigFile> {
  const checked = await checkConfigObject(raw);
  if ('config' in checked) return checked.config;
  throw issuesError('CONFIG_INVALID', where, checked.issues);
}

/** The validated config, or every issue with it. */
export async function checkConfigObject(
  raw: unknown,
): Promise<{ config: ConfigFile } | { issues: ConfigIssue[] }> {
  const plugins = (raw as { plugins?: unknown } | null)?.plugins;
  // Checked before the schema runs: half a million entries would take the schema (and the loader) ages.
  if (Array.isArray(plugins) && plugins.length > MAX_PLUGINS) {
    return {
      issues: [
        { path: ['plugins'], message: `${plugins.length} plugins; a config may list at most ${MAX_PLUGINS}` },
      ],
    };
  }
  const prototypeKeys = prototypeKeyPaths(raw);
  if (prototypeKeys.length > 0) {
    return {
      issues: prototypeKeys.map((keyPath) => ({
        path: keyPath,
        message: 'unknown key (not a stigmer setting)',
      })),
    };
  }
  const accepted = acceptConfig(raw);
  if (accepted) return { config: accepted };
  const { configFileSchema } = await import('./schema.js');
  const parsed = configFileSchema.safeParse(raw ?? {});
  if (parsed.success) return { config: parsed.data };
  return { issues: parsed.error.issues.flatMap(toConfigIssues) };
}

/**
 * Paths of every own `__proto__` key. JSON and YAML parsers make it an
 * ordinary key, but validators (zod's strict objects among them) skip it,
 * and code that copies options would turn it into a prototype.
 */
function prototypeKeyPaths(value: unknown, at: PropertyKey[] = [], depth = 0): PropertyKey[][] {
  if (value === null || typeof value !== 'object' || depth > 32) return [];
  const found: PropertyKey[][] = [];
  if (Object.hasOwn(value, '__proto__')) found.push([...at, '__proto__']);
  for (const [key, child] of Object.entries(value)) {
    found.push(...prototypeKeyPaths(child, [...at, Array.isArray(value) ? Number(key) : key], depth + 1));
  }
  return found;
}

/** One issue per unknown key, at the key's own path, so the message points at the typo. */
function toConfigIssues(issue: { code: string; message: string; path: PropertyKey[]; keys?: string[] }) {
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    return issue.keys.map((key) => ({
      path: [...issue.path, key],
      message: unknownKeyMessage([...issue.path, key].join('.')),
    }));
  }
  return [{ path: issue.path, message: issue.message.replace(/^Invalid input: /, '') }];
}

/** Why a key is not accepted: not a setting at all, or one that is set per run only (`build`). */
function unknownKeyMessage(key: string): string {
  const perRun = DECLARED_SETTINGS.find((setting) => setting.key === key && !setting.inFile);
  if (!perRun) return 'unknown key (not a stigmer setting)';
  const how = [perRun.flag, perRun.env].filter(Boolean).join(' or ');
  return `not a config file key: ${key} is set for one run, with ${how}`;
}

async function readWith<T>(read: () => Promise<T>, where: string): Promise<T> {
  try {
    return await read();
  } catch (error) {
    // The loaders name the file; anything else (a search that failed) names what was searched.
    throw unreadable(namedFile(error) ?? where, error);
  }
}

/** The file a cosmiconfig parser error names (`JSON Error in /x/package.json:`), if any. */
function namedFile(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  return /^(?:JSON|YAML) Error in ([^\n]+):\n/.exec(message)?.[1];
}
