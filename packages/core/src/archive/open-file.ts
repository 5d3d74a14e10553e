import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Opens a file of an archive folder that the manifest names, only when it is
 * a regular file inside the folder: a symbolic link may point to another file
 * of the folder, never out of it, and a directory, a FIFO, a device or a
 * socket is refused at once (a FIFO would block, `/dev/zero` never ends).
 * Messages never name what lies outside the folder. The file is opened
 * without following links and checked again through the handle, so a swap
 * between the checks and the open is refused too.
 */
export async function openInFolder(
  dir: string,
  name: string,
): Promise<{ handle: FileHandle; size: number } | { refused: string }> {
  const file = path.join(dir, name);
  let info: Stats;
  try {
    info = await lstat(file);
  } catch (error) {
    return { refused: missing(error) };
  }
  let target = file;
  if (info.isSymbolicLink()) {
    let realDir: string;
    try {
      [target, realDir] = await Promise.all([realpath(file), realpath(dir)]);
      info = await stat(target);
    } catch {
      return { refused: 'it is a symbolic link to nothing' };
    }
    const relative = path.relative(realDir, target);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
      return { refused: `it is a symbolic link to a file outside ${dir}` };
    }
  }
  if (!info.isFile()) return { refused: `it is ${kindOf(info)}, not a regular file` };
  // O_NONBLOCK: should a FIFO be swapped in after the check, opening it must not hang.
  const handle = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const opened = await handle.stat();
  if (!opened.isFile() || opened.ino !== info.ino || opened.dev !== info.dev) {
    await handle.close();
    return { refused: 'it changed while stigmer opened it' };
  }
  return { handle, size: opened.size };
}

function missing(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' ? 'it is missing' : `it cannot be read (${code ?? 'error'})`;
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}
