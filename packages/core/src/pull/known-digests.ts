// fs.promises, not node:fs/promises: loaded on first use (it costs ~4 ms of start-up).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ImageInfo } from '../engine/types.js';

/**
 * Registry digests stigmer verified itself for images it loaded (a pull
 * after a stall goes around the engine and loads the image: the engine then
 * records no `RepoDigests` for it). Kept in the data folder, keyed by image
 * id, so the `newer` check and digest pins still know which registry
 * manifest the image is.
 */

const FILE = 'image-digests.json';

/** Records `repoDigest` (`name@sha256:...`) for the image `id`. */
export async function recordDigest(dataDir: string, id: string, repoDigest: string): Promise<void> {
  const all = await readAll(dataDir);
  all[id] = [...new Set([repoDigest, ...(all[id] ?? [])])];
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Written whole and renamed: a concurrent reader never sees half a file.
  const file = path.join(dataDir, FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  await fs.rename(temporary, file);
}

/**
 * Every registry digest (`name@sha256:...`) `image` is known by: the
 * engine's `RepoDigests`, then those stigmer verified for its id.
 */
export async function knownDigests(dataDir: string, image: ImageInfo): Promise<string[]> {
  const recorded = (await readAll(dataDir))[image.id] ?? [];
  return [...new Set([...image.repoDigests, ...recorded])];
}

async function readAll(dataDir: string): Promise<Record<string, string[]>> {
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(dataDir, FILE), 'utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const entries = Object.entries(parsed as Record<string, unknown>).filter(
      (entry): entry is [string, string[]] =>
        Array.isArray(entry[1]) && entry[1].every((d) => typeof d === 'string'),
    );
    return Object.fromEntries(entries);
  } catch {
    // Missing or damaged: nothing recorded.
    return {};
  }
}
