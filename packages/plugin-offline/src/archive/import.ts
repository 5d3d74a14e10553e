import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { type Engine, EngineError, ImageError, platformMatches } from '@stigmer/core';
import { type ArchivedImage, readManifest } from './manifest.js';

/** One image `importImage` put in the engine, checked. */
export interface ImportedImage {
  name: string;
  id: string;
  platform: string;
  file: string;
}

/**
 * Loads the archived images of `dir` (all, or those named) through the
 * engine, each checked against the manifest: the file's SHA-256 before the
 * engine sees it, then the loaded image's id and platform. A loaded image
 * that fails a check is untagged again, so a bad archive never runs.
 */
export async function importImages(
  engine: Engine,
  dir: string,
  options: { names?: readonly string[]; platform?: string | undefined; signal?: AbortSignal } = {},
): Promise<ImportedImage[]> {
  const manifest = await readManifest(dir);
  const wanted = options.names
    ? manifest.images.filter((image) => options.names?.includes(image.name))
    : manifest.images;
  const imported: ImportedImage[] = [];
  for (const entry of wanted) imported.push(await importImage(engine, dir, entry, options));
  return imported;
}

/** Loads and checks one archived image. */
export async function importImage(
  engine: Engine,
  dir: string,
  entry: ArchivedImage,
  options: { platform?: string | undefined; signal?: AbortSignal } = {},
): Promise<ImportedImage> {
  if (!engine.loadImages) {
    throw new EngineError('ENGINE_FAILED', 'This engine cannot load images (no loadImages in its facade).');
  }
  const file = path.join(dir, entry.file);
  if (options.platform && !platformMatches(entry.platform, options.platform)) {
    throw refused(entry, file, `it is ${entry.platform}, not ${options.platform}`);
  }
  const sha256 = await fileSha256(file, options.signal);
  if (sha256 !== entry.sha256) {
    throw refused(
      entry,
      file,
      `its SHA-256 is ${sha256}, the manifest says ${entry.sha256} (damaged or replaced)`,
    );
  }
  await engine.loadImages(createReadStream(file), {
    source: file,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const loaded = await engine.inspectImage(entry.name);
  if (!loaded || loaded.id !== entry.id) {
    if (loaded) await engine.removeImage(entry.name);
    throw refused(entry, file, `it loaded as ${loaded?.id ?? 'nothing'}, the manifest says ${entry.id}`);
  }
  return { name: entry.name, id: loaded.id, platform: loaded.platform, file };
}

function refused(entry: ArchivedImage, file: string, why: string): ImageError {
  return new ImageError('IMAGE_REJECTED', `The archive ${file} of ${entry.name} was refused: ${why}.`, {
    details: { file, name: entry.name },
  });
}

async function fileSha256(file: string, signal: AbortSignal | undefined): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file, signal ? { signal } : {})) hash.update(chunk as Buffer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ImageError('IMAGE_REJECTED', `The archive ${file} named in the manifest is missing.`, {
        details: { file },
      });
    }
    throw error;
  }
  return hash.digest('hex');
}
