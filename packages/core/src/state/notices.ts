// fs.promises, not node:fs/promises: loaded on first use (it costs ~4 ms of start-up).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ensureDataDir } from './data-dir.js';

const FILE = 'notices.json';

/**
 * True the first time a note with this key is asked about in this data
 * folder, and records it: a note that is worth reading once (not on every
 * command) is shown once. When the record cannot be read or written (a
 * read-only home), the note is shown rather than lost; nothing fails.
 */
export async function firstTime(dataDir: string, key: string): Promise<boolean> {
  if (await shownBefore(dataDir, key)) return false;
  await recordShown(dataDir, key);
  return true;
}

/** True when a note with this key was recorded as shown in this data folder. */
export async function shownBefore(dataDir: string, key: string): Promise<boolean> {
  return Object.hasOwn(await readShown(dataDir), key);
}

/** Records a note as shown; a record that cannot be written is not an error (it is shown again). */
export async function recordShown(dataDir: string, key: string): Promise<void> {
  const file = path.join(dataDir, FILE);
  try {
    const shown = await readShown(dataDir);
    await ensureDataDir(dataDir);
    // Written whole and renamed: a concurrent reader never sees half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    await fs.writeFile(
      temporary,
      `${JSON.stringify({ ...shown, [key]: new Date().toISOString() }, null, 2)}\n`,
      {
        mode: 0o600,
      },
    );
    await fs.rename(temporary, file);
  } catch {
    // Shown now, and again next time: better than never.
  }
}

async function readShown(dataDir: string): Promise<Record<string, string>> {
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(dataDir, FILE), 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, string>;
  } catch {
    // Missing or damaged: nothing shown yet.
  }
  return {};
}
