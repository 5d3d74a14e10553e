import { readFile, rename, writeFile } from 'node:fs/promises';
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
  const file = path.join(dataDir, FILE);
  let shown: Record<string, string> = {};
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      shown = parsed as Record<string, string>;
  } catch {
    // Missing or damaged: nothing shown yet.
  }
  if (Object.hasOwn(shown, key)) return false;
  try {
    await ensureDataDir(dataDir);
    // Written whole and renamed: a concurrent reader never sees half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(
      temporary,
      `${JSON.stringify({ ...shown, [key]: new Date().toISOString() }, null, 2)}\n`,
      {
        mode: 0o600,
      },
    );
    await rename(temporary, file);
  } catch {
    // Shown now, and again next time: better than never.
  }
  return true;
}
