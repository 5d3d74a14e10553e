// fs.promises, not node:fs/promises: loaded on first use (it costs ~4 ms of start-up).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { LoadedPlugin } from './types.js';

/** A package as `npm install` left it in a node_modules folder. */
export interface InstalledPackage {
  /** The package name, e.g. `@stigmer/plugin-ghcr`. */
  name: string;
  /** Its package.json version. */
  version: string;
  /** Its folder. */
  dir: string;
}

/**
 * Finds `name` where Node looks for a bare specifier: `node_modules/<name>`
 * in `fromDir`, then in each folder above it. Only package.json is read,
 * which costs a few file system calls, not a module load.
 */
export async function findInstalledPackage(
  name: string,
  fromDir: string,
): Promise<InstalledPackage | undefined> {
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', name);
      try {
        const { version } = JSON.parse(await fs.readFile(path.join(candidate, 'package.json'), 'utf8')) as {
          version?: unknown;
        };
        if (typeof version === 'string') return { name, version, dir: candidate };
      } catch {
        // Not installed here (or unreadable, which Node's import would not get past either): look further up.
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** A first-party plugin loaded from node_modules because its version is not the bundled one. */
export interface VersionMismatch {
  plugin: string;
  installed: InstalledPackage;
  /** The same text for as long as the versions stay the same, so it is shown once. */
  key: string;
  message: string;
}

/**
 * The plugins the host has bundled but loaded from node_modules, because the
 * installed package has another version than the bundled copy.
 */
export function versionMismatches(
  plugins: readonly LoadedPlugin[],
  bundledVersion: string,
  host: string,
): VersionMismatch[] {
  return plugins.flatMap(({ plugin, installed, loadedFrom }) => {
    if (!installed || loadedFrom.startsWith('builtin:')) return [];
    const { name, version, dir } = installed;
    return [
      {
        plugin: plugin.name,
        installed,
        key: `${name}@${version} with ${host} bundling ${bundledVersion}`,
        message:
          `${name} ${version} is installed in ${dir}, and ${host} bundles ${bundledVersion}: the installed copy ` +
          'runs, with a second copy of @stigmer/core, and start-up is slower. To use the bundled copy, install ' +
          `${name}@${bundledVersion} (or the stigmer version that matches ${version}). ` +
          'This note is shown once; `stigmer plugins list` shows where each plugin comes from.',
      },
    ];
  });
}
