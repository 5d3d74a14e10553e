import { fileURLToPath } from 'node:url';
import type { LoadedPlugin } from '@stigmer/core/host';
import { BUNDLED_PLUGINS_VERSION } from '../version.js';

/**
 * Where a plugin came from, in words: `plugins list` and `--explain` say it
 * the same way. A first-party package installed beside the config with the
 * CLI's version runs as the bundled copy (the fast path); with another
 * version it runs from node_modules, and both say so.
 */
export function pluginOrigin({ loadedFrom, installed }: LoadedPlugin): string {
  if (loadedFrom.startsWith('builtin:')) {
    const name = loadedFrom.slice('builtin:'.length);
    return installed
      ? `bundled with stigmer (${name}; the copy installed in ${installed.dir} is the same version, ${installed.version})`
      : `bundled with stigmer (${name})`;
  }
  const where = loadedFrom.startsWith('file:') ? fileURLToPath(loadedFrom) : loadedFrom;
  return installed
    ? `${where} (installed ${installed.version}; stigmer bundles ${BUNDLED_PLUGINS_VERSION})`
    : where;
}
