import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

const MODULE = 'stigmer';

/**
 * Where a config may be, in each folder, in cosmiconfig's order. Passed to
 * cosmiconfig explicitly, so the quick check below and the real search can
 * never disagree about the places.
 */
export const SEARCH_PLACES: readonly string[] = Object.freeze([
  'package.json',
  ...['', '.json', '.yaml', '.yml', '.js', '.ts', '.cjs', '.mjs'].map((ext) => `.${MODULE}rc${ext}`),
  ...['', '.json', '.yaml', '.yml', '.js', '.ts', '.cjs', '.mjs'].map((ext) => `.config/${MODULE}rc${ext}`),
  ...['.js', '.ts', '.cjs', '.mjs'].map((ext) => `${MODULE}.config${ext}`),
]);

/** The file names cosmiconfig's global search looks for in the user config folder. */
export const USER_CONFIG_DIR_PLACES: readonly string[] = Object.freeze(
  ['', '.json', '.yaml', '.yml', '.js', '.ts', '.cjs', '.mjs'].map((ext) => `config${ext}`),
);

/** One folder the search looks in, and for which file names. */
export interface SearchStep {
  folder: string;
  /** `project`: the current folder up to the project root; `user`: the home folder and the user config folder. */
  scope: 'project' | 'user';
  places: readonly string[];
}

/** What the search depends on besides the current folder: the home and config folders. */
export type SearchEnv = Readonly<Record<string, string | undefined>>;

/**
 * The folders the `project` search strategy visits from `cwd`: each folder
 * up to and including the first that has a package.json (or package.yaml),
 * else up to the filesystem root.
 */
export function projectFolders(cwd: string): string[] {
  const folders: string[] = [];
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    folders.push(dir);
    if (existsSync(path.join(dir, 'package.json')) || existsSync(path.join(dir, 'package.yaml'))) break;
    if (path.dirname(dir) === dir) break;
  }
  return folders;
}

/**
 * The user config folder, as cosmiconfig's global search (through
 * env-paths) names it: `$XDG_CONFIG_HOME/stigmer` or `~/.config/stigmer` on
 * Linux, `~/Library/Preferences/stigmer` on macOS, `%APPDATA%\stigmer\Config`
 * on Windows.
 */
export function userConfigDir(env: SearchEnv, platform: NodeJS.Platform = process.platform): string {
  const home = homeOf(env);
  if (platform === 'darwin') return path.join(home, 'Library', 'Preferences', MODULE);
  if (platform === 'win32')
    return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), MODULE, 'Config');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), MODULE);
}

/**
 * Every folder the search may look in, in order: the project folders from
 * `cwd`, then (only when none of them has a config) the home folder with the
 * same places (`~/.stigmerrc`...) unless the walk already passed it, then the
 * user config folder (`~/.config/stigmer/config.yaml`...).
 */
export function searchSteps(cwd: string, env: SearchEnv): SearchStep[] {
  const project = projectFolders(cwd);
  const steps: SearchStep[] = project.map((folder) => ({ folder, scope: 'project', places: SEARCH_PLACES }));
  const home = homeOf(env);
  if (!project.includes(home)) steps.push({ folder: home, scope: 'user', places: SEARCH_PLACES });
  steps.push({ folder: userConfigDir(env), scope: 'user', places: USER_CONFIG_DIR_PLACES });
  return steps;
}

/** The config files that exist on the search path, in search order. */
export function existingConfigFiles(cwd: string, env: SearchEnv): string[] {
  return searchSteps(cwd, env).flatMap((step) =>
    step.places.flatMap((place) => {
      const file = path.join(step.folder, place);
      if (!statSync(file, { throwIfNoEntry: false })?.isFile()) return [];
      return place !== 'package.json' || packageHasKey(file) ? [file] : [];
    }),
  );
}

/**
 * False only when no config file can exist on the search path: no search
 * place exists, and no package.json there has a `stigmer` key. Lets the
 * common case (no config at all) skip loading cosmiconfig and its parsers.
 */
export function mayHaveConfig(cwd: string, env: SearchEnv): boolean {
  return existingConfigFiles(cwd, env).length > 0;
}

function homeOf(env: SearchEnv): string {
  return env.HOME || homedir();
}

function packageHasKey(file: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return pkg[MODULE] !== undefined;
  } catch {
    // A broken package.json is cosmiconfig's to report.
    return true;
  }
}
