import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MAX_CONFIG_BYTES } from './loaders.js';
import { existingConfigFiles, type SearchEnv, searchSteps } from './search-places.js';

/** A config file read, and how it was found (as `readConfigFile` returns it). */
export interface PlainRead {
  path: string;
  raw: unknown;
  scope: 'flag' | 'project' | 'user';
}

/** Files of cosmiconfig's meta config in the current folder: any of them can change its search. */
const META_PLACES = [
  'package.yaml',
  ...['json', 'yaml', 'yml', 'js', 'ts', 'cjs', 'mjs'].map((ext) => `.config/config.${ext}`),
];

/**
 * A config file read without cosmiconfig, when what cosmiconfig would do is
 * plain: the file it would load first (`--config`'s, or the first that
 * exists on the search path) is JSON or YAML, not empty, not too large,
 * parses with the parser cosmiconfig would use (JSON.parse, js-yaml's
 * `load`), to a plain object with no `$import`, and no meta config
 * (`cosmiconfig` in package.json, package.yaml, .config/config.*) can change
 * the search. Otherwise undefined, and cosmiconfig reads it, with its words
 * for whatever is wrong. `plain-read.test.ts` holds the two equal over a
 * table of layouts. A `.stigmerrc` so costs js-yaml alone (or nothing, as JSON).
 */
export async function plainRead(
  cwd: string,
  env: SearchEnv,
  configPath: string | undefined,
  /** Where cosmiconfig looks for its meta config: the process's folder. */
  metaFolder = process.cwd(),
): Promise<PlainRead | undefined> {
  if (hasMetaConfig(metaFolder)) return undefined;
  let file: string;
  let scope: PlainRead['scope'];
  if (configPath) {
    file = path.resolve(cwd, configPath);
    scope = 'flag';
  } else {
    const first = existingConfigFiles(cwd, env)[0];
    if (!first) return undefined;
    file = first;
    scope = scopeOf(first, cwd, env);
  }
  const ext = path.extname(file);
  const yaml = ext === '' || ext === '.yaml' || ext === '.yml';
  if (!yaml && (ext !== '.json' || path.basename(file) === 'package.json')) return undefined;
  let text: string;
  try {
    // Only a regular file of a config's size: a device (--config /dev/zero) or a FIFO never ends.
    const info = statSync(file, { throwIfNoEntry: false });
    if (!info?.isFile() || info.size > MAX_CONFIG_BYTES) return undefined;
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (text.trim() === '' || Buffer.byteLength(text) > MAX_CONFIG_BYTES) return undefined;
  let raw: unknown;
  try {
    raw = yaml ? (await import('js-yaml')).load(text) : JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(raw) || Object.hasOwn(raw, '$import')) return undefined;
  return { path: file, raw, scope };
}

function hasMetaConfig(folder: string): boolean {
  if (META_PLACES.some((place) => existsSync(path.join(folder, place)))) return true;
  try {
    const pkg = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as unknown;
    return !isPlainObject(pkg) || Object.hasOwn(pkg, 'cosmiconfig');
  } catch (error) {
    // No package.json is no meta config; one that cannot be read is cosmiconfig's to judge.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** `project` or `user`: the scope of the search step whose folder and places hold `file`. */
function scopeOf(file: string, cwd: string, env: SearchEnv): 'project' | 'user' {
  const step = searchSteps(cwd, env).find((s) =>
    s.places.some((place) => path.join(s.folder, place) === file),
  );
  return step?.scope ?? 'user';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
