import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Engine, ImageInfo } from '../engine/types.js';
import { EngineError } from '../errors.js';
import {
  type ArchivedImage,
  type ArchiveManifest,
  archiveFileName,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
} from './manifest.js';

/** What `exportImages` writes, per image. */
export interface ExportRequest {
  /** The name the image runs by; the archive keeps it. */
  name: string;
  image: ImageInfo;
}

/**
 * Writes each image as a `docker save` archive into `dir`, streaming it
 * through a SHA-256 hash (nothing is held in memory), then the manifest.
 * Files are written under a temporary name and renamed when complete, so an
 * interrupted export never leaves an archive that looks whole.
 */
export async function exportImages(
  engine: Engine,
  requests: readonly ExportRequest[],
  dir: string,
  options: { createdBy: string; signal?: AbortSignal },
): Promise<ArchiveManifest> {
  if (!engine.saveImages) {
    throw new EngineError('ENGINE_FAILED', 'This engine cannot save images (no saveImages in its facade).');
  }
  await mkdir(dir, { recursive: true });
  const images: ArchivedImage[] = [];
  for (const { name, image } of requests) {
    const file = archiveFileName(name);
    const target = path.join(dir, file);
    const partial = `${target}.partial`;
    const hash = createHash('sha256');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      const archive = await engine.saveImages([name], options.signal ? { signal: options.signal } : {});
      await pipeline(
        archive,
        count,
        createWriteStream(partial),
        options.signal ? { signal: options.signal } : {},
      );
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    images.push({
      name,
      file,
      id: image.id,
      digest: image.repoDigests[0],
      platform: image.platform,
      sha256: hash.digest('hex'),
      size,
    });
  }
  const manifest: ArchiveManifest = {
    format: MANIFEST_FORMAT,
    createdBy: options.createdBy,
    createdAt: new Date().toISOString(),
    images,
  };
  await writeFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
