import { chmod, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { StateError } from '../errors.js';

/**
 * The data folder: `server.dataDir` (or `STIGMER_DATA_DIR`, the original
 * CLI's variable) when set, else `~/.stigmer/data`. `~/` is the home folder;
 * a relative path is taken from `cwd`.
 */
export function dataDirFor(
  configured: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string {
  const home = env.HOME || homedir();
  if (!configured) return path.join(home, '.stigmer', 'data');
  if (configured === '~' || configured.startsWith('~/')) return path.join(home, configured.slice(1));
  return path.resolve(cwd, configured);
}

/**
 * Creates the data folder (and `~/.stigmer` above it) with mode 0700: it holds
 * the lock, the state and the agent's workspace, which are nobody else's
 * business. A folder that already exists keeps its mode: the user chose it.
 */
export async function ensureDataDir(dir: string): Promise<void> {
  try {
    const first = await mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; set it exactly on what we created.
    if (first !== undefined) {
      for (let current = dir; current.length >= first.length; current = path.dirname(current)) {
        await chmod(current, 0o700);
        if (current === first) break;
      }
    }
  } catch (error) {
    throw new StateError(
      'STATE_FAILED',
      `Cannot create the stigmer data folder ${dir}: ${(error as Error).message}. Set STIGMER_DATA_DIR to a folder you can write.`,
      { cause: error, details: { dataDir: dir } },
    );
  }
}
