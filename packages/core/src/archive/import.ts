import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ArchiveFormatError, type ArchiveScan, scanImageArchive } from '../engine/image-archive.js';
import type { Engine } from '../engine/types.js';
import { EngineError, ImageError } from '../errors.js';
import { platformMatches } from '../image/platform.js';
import { type ArchivedImage, readManifest } from './manifest.js';
import { openInFolder } from './open-file.js';

/** One image `importImage` put in the engine, checked. */
export interface ImportedImage {
  name: string;
  id: string;
  platform: string;
  file: string;
}

/**
 * Loads the archived images of `dir` (all, or those named) through the
 * engine, each checked against the manifest (see `importImage`).
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

/**
 * Loads the image the folder's manifest lists as `name` (see `importImage`),
 * or resolves to `undefined` when the manifest lists no such image. A folder
 * without a readable manifest is an error.
 */
export async function importNamed(
  engine: Engine,
  dir: string,
  name: string,
  options: { platform?: string | undefined; signal?: AbortSignal } = {},
): Promise<ImportedImage | undefined> {
  const entry = (await readManifest(dir)).images.find((image) => image.name === name);
  return entry ? importImage(engine, dir, entry, options) : undefined;
}

/**
 * Loads and checks one archived image. Nothing from the archive gets or
 * takes a name unless it is exactly what the manifest says:
 * 1. the file must be a regular file inside the folder (no link out, no
 *    FIFO or device), and its SHA-256 the manifest's;
 * 2. read without loading: it must hold exactly one image, whose config
 *    hashes to the manifest's id, named by nothing but the manifest's name;
 * 3. the engine loads it without any name (`Engine.loadImages`), and must
 *    report exactly that id, of the manifest's platform;
 * 4. only then is the id tagged with the manifest's name.
 * A refusal leaves the engine's names and images as they were: before step 3
 * nothing reached the engine, after it whatever this load added is removed.
 */
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
  const refuse = (why: string) => refused(entry, file, why);
  if (options.platform && !platformMatches(entry.platform, options.platform)) {
    throw refuse(`it is ${entry.platform}, not ${options.platform}`);
  }
  const opened = await openInFolder(dir, entry.file);
  if ('refused' in opened) {
    throw opened.refused === 'it is missing'
      ? new ImageError('IMAGE_REJECTED', `The archive ${file} named in the manifest is missing.`, {
          details: { file, name: entry.name },
        })
      : refuse(opened.refused);
  }
  const { handle } = opened;
  try {
    const { sha256, scan } = await readArchive(handle, options.signal);
    if (sha256 !== entry.sha256) {
      throw refuse(`its SHA-256 is ${sha256}, the manifest says ${entry.sha256} (damaged or replaced)`);
    }
    const problem = scan instanceof ArchiveFormatError ? scan.message : contentsProblem(entry, scan);
    if (problem) throw refuse(problem);
    await loadChecked(engine, handle, entry, file, refuse, options.signal);
  } finally {
    await handle.close();
  }
  await engine.tag(entry.id, entry.name);
  return { name: entry.name, id: entry.id, platform: entry.platform, file };
}

/** One pass over the file: its SHA-256, and its structure (or why it cannot be read as an archive). */
async function readArchive(
  handle: FileHandle,
  signal: AbortSignal | undefined,
): Promise<{ sha256: string; scan: ArchiveScan | ArchiveFormatError }> {
  const hash = createHash('sha256');
  const tee = new PassThrough();
  const scanned = scanImageArchive(tee).catch((error: unknown) => {
    if (error instanceof ArchiveFormatError) return error;
    throw error;
  });
  const source = handle.createReadStream({ start: 0, autoClose: false, ...(signal ? { signal } : {}) });
  for await (const chunk of source) {
    hash.update(chunk as Buffer);
    if (!tee.write(chunk)) await new Promise((resolve) => tee.once('drain', resolve));
  }
  tee.end();
  return { sha256: hash.digest('hex'), scan: await scanned };
}

/** What makes the archive's contents differ from its manifest entry, or `undefined`. */
function contentsProblem(entry: ArchivedImage, scan: ArchiveScan): string | undefined {
  const ids = scan.images.map((image) => image.id ?? `(config ${image.config} missing)`);
  if (scan.images.length !== 1) {
    // Sorted: the engine's save order is not one a reader (or a test) can predict.
    return `it holds ${scan.images.length} images (${[...ids].sort().join(', ') || 'none'}), the manifest lists one, ${entry.id}`;
  }
  if (ids[0] !== entry.id) return `it holds ${ids[0]}, the manifest says ${entry.id}`;
  const others = [...new Set([...(scan.images[0]?.names ?? []), ...scan.legacyNames])].filter(
    (name) => name !== entry.name,
  );
  if (others.length > 0) {
    return `it would also name ${others.join(', ')}; an archive may name only ${entry.name}`;
  }
  return undefined;
}

/**
 * Loads the file (without names) and checks what the engine made of it:
 * exactly the manifest's id, of the manifest's platform. On any failure the
 * images this load added are removed again; images that were there before stay.
 */
async function loadChecked(
  engine: Engine,
  handle: FileHandle,
  entry: ArchivedImage,
  file: string,
  refuse: (why: string) => ImageError,
  signal: AbortSignal | undefined,
): Promise<void> {
  const load = engine.loadImages?.bind(engine);
  if (!load) return;
  const stream = handle.createReadStream({ start: 0, autoClose: false, ...(signal ? { signal } : {}) });
  const { ids, added } = await load(stream, { source: file, ...(signal ? { signal } : {}) });
  try {
    // The file was checked a moment ago; it can still have changed since.
    if (ids.length !== 1 || ids[0] !== entry.id) {
      throw refuse(`it loaded as ${ids.join(', ')}, the manifest says ${entry.id}`);
    }
    const image = await engine.inspectImage(entry.id);
    if (!image || !platformMatches(image.platform, entry.platform)) {
      throw refuse(`it loaded as ${image?.platform ?? 'nothing'}, the manifest says ${entry.platform}`);
    }
  } catch (error) {
    for (const id of added) await engine.removeImage(id).catch(() => {});
    throw error;
  }
}

function refused(entry: ArchivedImage, file: string, why: string): ImageError {
  return new ImageError('IMAGE_REJECTED', `The archive ${file} of ${entry.name} was refused: ${why}.`, {
    details: { file, name: entry.name },
  });
}
