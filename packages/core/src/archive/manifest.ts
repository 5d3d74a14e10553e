import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { openInFolder } from './open-file.js';

/** The manifest's file name inside an archive folder. */
export const MANIFEST_FILE = 'stigmer-images.json';
/** The manifest format this version writes and reads. */
export const MANIFEST_FORMAT = 'stigmer-images/1';

/** One image in an archive folder. */
export interface ArchivedImage {
  /** The name it runs by (`stigmer-agent-runner:local`). */
  name: string;
  /** The archive's file name in the folder (`docker save` format). */
  file: string;
  /** The engine's image id (`sha256:...`), which a load must reproduce. */
  id: string;
  /** The registry digest it was pulled by (`repo@sha256:...`), when it came from a registry. */
  digest: string | undefined;
  /** `os/arch[/variant]`. */
  platform: string;
  /** SHA-256 of the archive file, hex, checked before the engine sees it. */
  sha256: string;
  /** Size of the archive file in bytes. */
  size: number;
}

/** The `stigmer-images.json` of an archive folder. */
export interface ArchiveManifest {
  format: typeof MANIFEST_FORMAT;
  /** `stigmer <version>` that wrote it. */
  createdBy: string;
  createdAt: string;
  images: ArchivedImage[];
}

/** A manifest is a few hundred bytes per image: anything this large is not one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** Reads and checks a folder's manifest; every problem names the file and what is wrong. */
export async function readManifest(dir: string): Promise<ArchiveManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  const opened = await openInFolder(dir, MANIFEST_FILE);
  if ('refused' in opened) {
    throw new ConfigError(
      'CONFIG_INVALID',
      opened.refused === 'it is missing'
        ? await unreadable(dir)
        : `The image archive manifest ${file} was refused: ${opened.refused}.`,
      { details: { file } },
    );
  }
  let text: string;
  try {
    if (opened.size > MAX_MANIFEST_BYTES)
      throw invalid(file, `it is ${opened.size} bytes, more than a manifest`);
    text = await opened.handle.readFile('utf8');
  } finally {
    await opened.handle.close();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(file, `it is not JSON (${(error as Error).message})`);
  }
  return checkManifest(parsed, file);
}

/** Why there is no manifest, starting with the folder itself: missing, a file, or without a manifest. */
async function unreadable(dir: string): Promise<string> {
  const exportHint = `Write one with \`stigmer image export ${dir}\` on a machine with network access.`;
  const folder = await stat(dir).catch(() => undefined);
  if (!folder) return `The folder ${dir} does not exist. ${exportHint}`;
  if (!folder.isDirectory()) return `${dir} is a file, not an image archive folder. ${exportHint}`;
  return `${dir} is not an image archive folder: it has no ${MANIFEST_FILE}. ${exportHint}`;
}

function invalid(file: string, why: string): ConfigError {
  return new ConfigError('CONFIG_INVALID', `The image archive manifest ${file} is invalid: ${why}.`, {
    details: { file },
  });
}

/** Checks the shape by hand: the manifest is small, and zod stays off this path. */
export function checkManifest(value: unknown, file: string): ArchiveManifest {
  const m = value as Partial<ArchiveManifest> | null;
  if (!m || typeof m !== 'object') throw invalid(file, 'expected an object');
  if (m.format !== MANIFEST_FORMAT) throw invalid(file, `format must be "${MANIFEST_FORMAT}"`);
  if (!Array.isArray(m.images)) throw invalid(file, 'images must be a list');
  if (m.images.length === 0)
    throw invalid(file, 'images lists no image; write the folder with `stigmer image export DIR`');
  m.images.forEach((image, i) => {
    const at = `images[${i}]`;
    for (const key of ['name', 'file', 'id', 'platform', 'sha256'] as const) {
      if (typeof image?.[key] !== 'string' || image[key] === '')
        throw invalid(file, `${at}.${key} is missing`);
    }
    // The file must sit in the folder: a manifest must not reach elsewhere.
    if (image.file !== path.basename(image.file) || image.file.startsWith('.')) {
      throw invalid(file, `${at}.file must be a file name in the folder, not "${image.file}"`);
    }
    if (!/^[a-f0-9]{64}$/.test(image.sha256)) throw invalid(file, `${at}.sha256 must be 64 hex digits`);
    if (!/^sha256:[a-f0-9]{64}$/.test(image.id))
      throw invalid(file, `${at}.id must be sha256: and 64 hex digits`);
    if (m.images?.findIndex((other) => other?.name === image.name) !== i)
      throw invalid(file, `${at}.name ${image.name} is listed twice`);
  });
  return m as ArchiveManifest;
}

/** A file name for an image name: `stigmer-agent-runner:local` → `stigmer-agent-runner_local.tar`. */
export function archiveFileName(name: string): string {
  return `${name.replace(/[^a-zA-Z0-9._-]+/g, '_')}.tar`;
}
