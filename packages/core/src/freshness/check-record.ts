import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * When each registry reference was last checked for a newer image, and what
 * it answered: stigmer's own record, so an interval policy (`24h`) counts from
 * the last check, not from image timestamps (which say when the image was
 * built, not when anyone looked).
 */
export interface CheckRecord {
  checkedAt: string;
  digest: string;
  /** The registry reference that answered. */
  reference: string;
}

const FILE = 'pull-checks.json';

export async function readCheck(dataDir: string, key: string): Promise<CheckRecord | undefined> {
  return (await readAll(dataDir))[key];
}

export async function writeCheck(dataDir: string, key: string, record: CheckRecord): Promise<void> {
  const all = await readAll(dataDir);
  all[key] = record;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Written whole and renamed: a concurrent reader never sees half a file.
  const file = path.join(dataDir, FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

async function readAll(dataDir: string): Promise<Record<string, CheckRecord>> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dataDir, FILE), 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, CheckRecord>) : {};
  } catch {
    // Missing or damaged: no record, so the next check simply happens.
    return {};
  }
}
