import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { posix as path } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { type Extract, type Header, type Pack, extract as tarExtract, pack as tarPack } from 'tar-stream';

/** One entry of an archive being read: its header and a stream of its content. */
type Source = Extract extends AsyncIterable<infer S> ? S : never;

/**
 * The `docker save` / `docker load` archive format, read and written by
 * stigmer itself so that nothing from an archive gets a name the caller did
 * not check: `manifest.json` lists each image's config file, its layers and
 * its `RepoTags`; a legacy `repositories` file maps names to ids as well.
 *
 * A load goes through `withoutNames`, which re-writes the archive entry by
 * entry with stigmer's own tar headers: the names are dropped, and the engine
 * parses exactly what stigmer parsed (no pax or GNU header it might read
 * differently). The caller names the verified image by id afterwards.
 */

/** One image of a `docker save` archive's `manifest.json`. */
export interface SavedImage {
  /** Path of the image's config inside the archive (`<hex>.json`). */
  Config: string;
  /** Names the archive gives it (`name:tag`); `null` when saved by id. */
  RepoTags?: string[] | null;
  /** Paths of its layer tarballs inside the archive, base layer first. */
  Layers: string[];
  [key: string]: unknown;
}

/** What `scanImageArchive` read from an archive, without loading anything. */
export interface ArchiveScan {
  /** `manifest.json`, each image with the SHA-256 of its config (its id), when the config was found. */
  images: Array<{ config: string; id: string | undefined; names: string[]; layers: string[] }>;
  /** `name:tag` pairs of the legacy `repositories` file, when there is one. */
  legacyNames: string[];
}

/** A `docker save` archive stigmer cannot load safely, and why. */
export class ArchiveFormatError extends Error {}

/** The largest metadata file (manifest, repositories, image config) read into memory. */
const MAX_METADATA_BYTES = 8 * 1024 * 1024;

/** Entry types `docker save` writes; anything else (devices, FIFOs, hard links) is refused. */
const SAVED_TYPES = new Set<Header['type']>(['file', 'directory', 'symlink']);

/**
 * An entry's path inside the archive, normalised as the engine's untar sees
 * it (`./a/../b` is `b`), or an error for a path that leaves the archive.
 */
function entryPath(header: Header): string {
  const normal = path.normalize(header.name).replace(/\/+$/, '');
  if (path.isAbsolute(header.name) || normal === '..' || normal.startsWith('../') || normal === '.') {
    throw new ArchiveFormatError(`it holds an entry outside the archive (${JSON.stringify(header.name)})`);
  }
  return normal;
}

/** Checks an entry's type and, for a symbolic link, that it points inside the archive. */
function checkEntry(header: Header, name: string): void {
  if (!SAVED_TYPES.has(header.type)) {
    throw new ArchiveFormatError(
      `it holds a ${header.type} entry (${JSON.stringify(name)}), which \`docker save\` never writes`,
    );
  }
  if (header.type === 'symlink') {
    const target = path.normalize(path.join(path.dirname(name), header.linkname ?? ''));
    if (path.isAbsolute(header.linkname ?? '') || target === '..' || target.startsWith('../')) {
      throw new ArchiveFormatError(`it holds a link out of the archive (${JSON.stringify(name)})`);
    }
  }
}

async function readSmall(entry: Source, name: string): Promise<Buffer> {
  if (entry.header.size > MAX_METADATA_BYTES) {
    throw new ArchiveFormatError(`its ${name} is ${entry.header.size} bytes, too large for metadata`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function parseJson(bytes: Buffer, name: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ArchiveFormatError(`its ${name} is not JSON`);
  }
}

/** `manifest.json` checked for the fields a load uses. */
export function parseSavedImages(bytes: Buffer): SavedImage[] {
  const value = parseJson(bytes, 'manifest.json');
  const ok =
    Array.isArray(value) &&
    value.every(
      (image) =>
        image &&
        typeof image === 'object' &&
        typeof image.Config === 'string' &&
        Array.isArray(image.Layers) &&
        image.Layers.every((layer: unknown) => typeof layer === 'string') &&
        (image.RepoTags === undefined ||
          image.RepoTags === null ||
          (Array.isArray(image.RepoTags) && image.RepoTags.every((t: unknown) => typeof t === 'string'))),
    );
  if (!ok) throw new ArchiveFormatError('its manifest.json is not a `docker save` manifest');
  return value as SavedImage[];
}

/** `name:tag` pairs of a legacy `repositories` file (`{ "repo": { "tag": "<id>" } }`). */
function legacyNames(bytes: Buffer): string[] {
  const value = parseJson(bytes, 'repositories');
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([repository, tags]) =>
    tags && typeof tags === 'object' ? Object.keys(tags).map((tag) => `${repository}:${tag}`) : [],
  );
}

/** Feeds `source` into a tar extractor; a source error fails the extraction. */
function entriesOf(source: NodeJS.ReadableStream) {
  const extract = tarExtract();
  source.on('error', (error: Error) => extract.destroy(error));
  source.pipe(extract as unknown as NodeJS.WritableStream);
  return extract;
}

/**
 * Reads an archive's structure without loading it: every entry's type and
 * path (refusing what `docker save` never writes), `manifest.json` with the
 * SHA-256 of each image's config (the engine's image id), and the names of
 * the legacy `repositories` file. Throws `ArchiveFormatError` for an archive
 * that is not a `docker save` archive or that stigmer will not load.
 */
export async function scanImageArchive(source: NodeJS.ReadableStream): Promise<ArchiveScan> {
  const seen = new Set<string>();
  const small = new Map<string, string>();
  let manifest: SavedImage[] | undefined;
  let names: string[] = [];
  try {
    for await (const entry of entriesOf(source)) {
      const name = entryPath(entry.header);
      checkEntry(entry.header, name);
      if (seen.has(name)) throw new ArchiveFormatError(`it holds ${JSON.stringify(name)} twice`);
      seen.add(name);
      if (name === 'manifest.json') manifest = parseSavedImages(await readSmall(entry, name));
      else if (name === 'repositories') names = legacyNames(await readSmall(entry, name));
      else if (entry.header.type === 'file' && entry.header.size <= MAX_METADATA_BYTES) {
        const hash = createHash('sha256');
        for await (const chunk of entry) hash.update(chunk as Buffer);
        small.set(name, `sha256:${hash.digest('hex')}`);
      } else entry.resume();
    }
  } catch (error) {
    if (error instanceof ArchiveFormatError) throw error;
    throw new ArchiveFormatError(`it is not a readable tar archive (${(error as Error).message})`);
  }
  if (!manifest) throw new ArchiveFormatError('it has no manifest.json (not a `docker save` archive)');
  return {
    images: manifest.map((image) => ({
      config: image.Config,
      id: small.get(path.normalize(image.Config)),
      names: image.RepoTags ?? [],
      layers: image.Layers,
    })),
    legacyNames: names,
  };
}

/**
 * The archive re-written for a load that names nothing: every entry with a
 * fresh header, `repositories` left out, and `manifest.json` (written last,
 * so it is the one the engine reads) without `RepoTags`. Entries `docker
 * save` never writes make the stream fail with an `ArchiveFormatError`.
 */
export function withoutNames(source: NodeJS.ReadableStream): Readable {
  const pack = tarPack();
  const copy = async () => {
    let manifest: SavedImage[] | undefined;
    for await (const entry of entriesOf(source)) {
      const { header } = entry;
      const name = entryPath(header);
      checkEntry(header, name);
      if (name === 'repositories') {
        entry.resume();
        continue;
      }
      if (name === 'manifest.json') {
        manifest = parseSavedImages(await readSmall(entry, name)).map(({ RepoTags: _, ...image }) => image);
        continue;
      }
      const fresh = {
        name,
        type: header.type,
        mode: header.mode & 0o777,
        mtime: header.mtime,
        size: header.type === 'file' ? header.size : 0,
        ...(header.type === 'symlink' ? { linkname: header.linkname } : {}),
      };
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry(fresh, (error) => (error ? reject(error) : resolve()));
        entry.on('error', reject);
        entry.pipe(sink);
      });
    }
    if (!manifest) throw new ArchiveFormatError('it has no manifest.json (not a `docker save` archive)');
    pack.entry({ name: 'manifest.json', mode: 0o644 }, JSON.stringify(manifest));
    pack.finalize();
  };
  return nodeStream(pack, copy());
}

/** A file to put into a load archive. */
export interface LoadArchiveFile {
  /** Its path inside the archive. */
  name: string;
  size: number;
  open(): NodeJS.ReadableStream;
}

/**
 * A `docker load` archive of one image built from its parts: the config (its
 * SHA-256 is the image id) and its layer blobs, as a registry serves them
 * (compressed layers load as they are). No `RepoTags`: the image loads without
 * a name. Streamed, file after file; nothing is held in memory.
 */
export function loadArchive(config: LoadArchiveFile, layers: readonly LoadArchiveFile[]): Readable {
  const pack = tarPack();
  const add = async (file: LoadArchiveFile) => {
    for (const dir of path.dirname(file.name) === '.' ? [] : [path.dirname(file.name)]) {
      pack.entry({ name: `${dir}/`, type: 'directory', mode: 0o755 });
    }
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry({ name: file.name, size: file.size, mode: 0o644 }, (error) =>
        error ? reject(error) : resolve(),
      );
      const stream = file.open();
      stream.on('error', reject);
      stream.pipe(sink as unknown as NodeJS.WritableStream);
    });
  };
  const build = async () => {
    await add(config);
    // An image may use one layer twice: its file goes in once.
    const added = new Set<string>();
    for (const layer of layers) {
      if (!added.has(layer.name)) await add(layer);
      added.add(layer.name);
    }
    const manifest: SavedImage[] = [{ Config: config.name, Layers: layers.map((l) => l.name) }];
    pack.entry({ name: 'manifest.json', mode: 0o644 }, JSON.stringify(manifest));
    pack.finalize();
  };
  return nodeStream(pack, build());
}

/**
 * The packed archive as a Node stream (what the engine client sends), which
 * fails with the error of `work` when writing the archive fails: the
 * receiver must never take a cut archive for a whole one.
 */
function nodeStream(pack: Pack, work: Promise<void>): Readable {
  const out = new PassThrough();
  const forward = async () => {
    for await (const chunk of pack) if (!out.write(chunk)) await once(out, 'drain');
    out.end();
  };
  forward().catch((error: unknown) => out.destroy(error as Error));
  work.catch((error: unknown) => {
    out.destroy(error as Error);
    pack.destroy();
  });
  // The reader went away (an aborted load): stop reading the source too.
  out.on('close', () => pack.destroy());
  return out;
}
