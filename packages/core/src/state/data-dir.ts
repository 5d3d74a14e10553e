// fs.promises, not node:fs/promises: loaded on first use (it costs ~4 ms of start-up).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StateError } from '../errors.js';
import { homeFolder } from '../home.js';

/**
 * The data folder: `server.dataDir` (or `STIGMER_DATA_DIR`, the original
 * CLI's variable) when set, else `~/.stigmer/data`. `~/` is the home folder;
 * a relative path is taken from `cwd`. Throws `STATE_FAILED` when the home
 * folder is needed and cannot be told (an empty `HOME` and no account home):
 * a data folder relative to wherever the command runs would scatter locks.
 */
export function dataDirFor(
  configured: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string {
  if (configured && configured !== '~' && !configured.startsWith('~/')) return path.resolve(cwd, configured);
  const home = homeFolder(env);
  if (home === undefined) {
    throw new StateError(
      'STATE_FAILED',
      `Cannot tell where the stigmer data folder goes: HOME is ${env.HOME === undefined ? 'not set' : `"${env.HOME}", not an absolute path`}, and this account has no home folder. Set HOME, or set STIGMER_DATA_DIR to an absolute folder.`,
      { details: { home: env.HOME ?? null } },
    );
  }
  if (!configured) return path.join(home, '.stigmer', 'data');
  return path.join(home, configured.slice(1));
}

/**
 * Creates the data folder (and `~/.stigmer` above it) with mode 0700: it holds
 * the lock, the state and the agent's workspace, which are nobody else's
 * business. A folder that already exists keeps its mode: the user chose it.
 *
 * The walk is by hand, one folder at a time: Node's recursive mkdir loops
 * forever under a parent that refuses creation with ENOENT (`/proc`).
 */
export async function ensureDataDir(dir: string): Promise<void> {
  const fail = (error: unknown) =>
    new StateError(
      'STATE_FAILED',
      `Cannot create the stigmer data folder ${dir}: ${(error as Error).message}. Set STIGMER_DATA_DIR to a folder you can write.`,
      { cause: error, details: { dataDir: dir } },
    );
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    try {
      if (!(await fs.stat(current)).isDirectory()) throw fail(new Error(`${current} is not a folder`));
      break;
    } catch (error) {
      if (error instanceof StateError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(current) === current)
        throw fail(error);
      missing.push(current);
    }
  }
  for (const folder of missing.reverse()) {
    try {
      await fs.mkdir(folder, { mode: 0o700 });
      // mkdir's mode is filtered by the umask; set it exactly on what we created.
      await fs.chmod(folder, 0o700);
    } catch (error) {
      // Made meanwhile by another stigmer: fine, and not ours to chmod.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fail(error);
    }
  }
}
