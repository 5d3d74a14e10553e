import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Mirrors that failed recently, kept in stigmer's data folder so that the
 * next runs go straight to the next mirror instead of waiting on a registry
 * that just said 429 or went away.
 */
export interface CoolDown {
  until: string;
  reason: string;
}

const FILE = 'registry-cool-downs.json';

export async function readCoolDowns(dataDir: string): Promise<Record<string, CoolDown>> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dataDir, FILE), 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, CoolDown>) : {};
  } catch {
    return {};
  }
}

/** The cool-down in force for `registry` now, if any. */
export function activeCoolDown(
  all: Record<string, CoolDown>,
  registry: string,
  now = Date.now(),
): CoolDown | undefined {
  const entry = all[registry];
  return entry && Date.parse(entry.until) > now ? entry : undefined;
}

export async function writeCoolDowns(dataDir: string, all: Record<string, CoolDown>): Promise<void> {
  const now = Date.now();
  const live = Object.fromEntries(Object.entries(all).filter(([, c]) => Date.parse(c.until) > now));
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(live, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}
