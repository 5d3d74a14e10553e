import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { type ConfigIssue, issuesError } from './issues.js';
import type { ConfigFile } from './schema-types.js';
import { mayHaveConfig, SEARCH_PLACES } from './search-places.js';

/** A config file found and validated. */
export interface LoadedConfigFile {
  path: string;
  config: ConfigFile;
}

/** Where to look. `configPath` (from `--config`) loads exactly that file and searches nothing. */
export interface FindConfigOptions {
  cwd: string;
  configPath?: string | undefined;
}

const MODULE = 'stigmer';

/**
 * Finds and validates the config file, or returns `undefined` when there is
 * none (the embedded default applies).
 *
 * Search strategy `project`, chosen on purpose: start in the current folder
 * and walk up, stopping at the first folder that has a package.json (the
 * project root); without one, the walk goes up to the filesystem root. A
 * config in a parent project therefore applies to all its subfolders, but one
 * project's config never leaks into another's. When no file can exist on
 * that path (the common case), cosmiconfig is not even loaded.
 */
export async function findConfig(options: FindConfigOptions): Promise<LoadedConfigFile | undefined> {
  const found = await readConfigFile(options);
  if (!found) return undefined;
  return { path: found.path, config: await validateConfig(found.raw, found.path) };
}

/** Finds and reads the config file without validating it (see `findConfig`). */
export async function readConfigFile(
  options: FindConfigOptions,
): Promise<{ path: string; raw: unknown } | undefined> {
  if (!options.configPath && !mayHaveConfig(options.cwd)) return undefined;
  // cosmiconfig is CommonJS: its exports are on `default` both under Node and in the bundle.
  const { cosmiconfig } = (await import('cosmiconfig')).default;
  const explorer = cosmiconfig(MODULE, {
    searchStrategy: 'project',
    searchPlaces: [...SEARCH_PLACES],
    cache: false,
  });
  let result: Awaited<ReturnType<typeof explorer.search>>;
  if (options.configPath) {
    const file = path.resolve(options.cwd, options.configPath);
    if (!existsSync(file)) {
      throw new ConfigError('CONFIG_NOT_FOUND', `The config file ${file} (from --config) does not exist.`, {
        details: { path: file },
      });
    }
    result = await readWith(() => explorer.load(file), file);
  } else {
    result = await readWith(() => explorer.search(options.cwd), options.cwd);
  }
  if (!result) return undefined;
  return { path: result.filepath, raw: result.isEmpty ? {} : result.config };
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
  const { configFileSchema } = await import('./schema.js');
  const parsed = configFileSchema.safeParse(raw ?? {});
  if (parsed.success) return { config: parsed.data };
  return { issues: parsed.error.issues.flatMap(toConfigIssues) };
}

/** One issue per unknown key, at the key's own path, so the message points at the typo. */
function toConfigIssues(issue: { code: string; message: string; path: PropertyKey[]; keys?: string[] }) {
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    return issue.keys.map((key) => ({
      path: [...issue.path, key],
      message: 'unknown key (not a stigmer setting)',
    }));
  }
  return [{ path: issue.path, message: issue.message.replace(/^Invalid input: /, '') }];
}

async function readWith<T>(read: () => Promise<T>, where: string): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError('CONFIG_INVALID', `Could not read the stigmer config (${where}): ${message}`, {
      cause: error,
      details: { path: where },
    });
  }
}
