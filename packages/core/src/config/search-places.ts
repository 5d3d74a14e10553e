import { existsSync, readFileSync } from 'node:fs';
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
 * False only when no config file can exist on the search path: no search
 * place exists, and no package.json there has a `stigmer` key. Lets the
 * common case (no config at all) skip loading cosmiconfig and its parsers.
 */
export function mayHaveConfig(cwd: string): boolean {
  return projectFolders(cwd).some((dir) =>
    SEARCH_PLACES.some((place) => {
      const file = path.join(dir, place);
      if (!existsSync(file)) return false;
      return place !== 'package.json' || packageHasKey(file);
    }),
  );
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
