import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * The folder a pull keeps the blobs stigmer fetches itself in (after a
 * stall), between attempts so they resume: `<dataDir>/downloads/pull-<pid>-<random>`.
 * It goes when the pull ends, and at once (synchronously) when the run is
 * interrupted: the process exits on a signal without waiting for the pull to
 * unwind. Folders left by a process that is gone (killed with SIGKILL) are
 * removed by the next pull.
 */
export interface DownloadDir {
  path: string;
  /** Removes the folder (and stops watching the signal). */
  remove(): Promise<void>;
}

const PREFIX = 'pull-';

export async function downloadDir(dataDir: string, signal: AbortSignal): Promise<DownloadDir> {
  const parent = path.join(dataDir, 'downloads');
  await removeOrphans(parent);
  const dir = path.join(parent, `${PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  const onAbort = () => rmSync(dir, { recursive: true, force: true });
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    path: dir,
    remove: async () => {
      signal.removeEventListener('abort', onAbort);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Removes the folders of pulls whose process no longer runs. */
async function removeOrphans(parent: string): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(/^pull-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    await rm(path.join(parent, name), { recursive: true, force: true }).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
