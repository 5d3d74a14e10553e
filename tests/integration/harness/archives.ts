import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { harnessDocker } from './context.js';
import { readTar, type TarEntry, tarArchive } from './tar.js';

/**
 * Image archive folders as `stigmer image export` writes them, and the
 * hostile variants the import must refuse: built from real `docker save`
 * archives, then edited entry by entry.
 */

/** The entries of a `docker save` archive of these images, saved by id (no names). */
export async function savedEntries(ids: string[]): Promise<TarEntry[]> {
  const docker = harnessDocker() as unknown as { getImages(o: object): Promise<NodeJS.ReadableStream> };
  const stream = await docker.getImages({ names: ids });
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return readTar(Buffer.concat(chunks));
}

/** The archive with `manifest.json`'s images given these names (`null`: none), and a `repositories` file if asked. */
export function renamed(entries: TarEntry[], names: (string[] | null)[], repositories?: object): Buffer {
  const out = entries.flatMap((entry): TarEntry[] => {
    if (entry.type === 'file' && entry.name === 'manifest.json') {
      const manifest = JSON.parse(entry.data.toString()) as { RepoTags: string[] | null }[];
      manifest.forEach((image, i) => {
        image.RepoTags = names[i] ?? null;
      });
      return [{ ...entry, data: JSON.stringify(manifest) }];
    }
    if (entry.name === 'repositories') return [];
    return [entry];
  });
  if (repositories) out.push({ type: 'file', name: 'repositories', data: JSON.stringify(repositories) });
  return tarArchive(out);
}

/**
 * Of an archive holding several images, the image `id` alone (its config,
 * layers and manifest entry). Found by hashing each config, since the order
 * in which the engine saves images is its own.
 */
export function onlyImage(entries: TarEntry[], id: string): TarEntry[] {
  const manifest = entries.find((e) => e.name === 'manifest.json');
  if (manifest?.type !== 'file') throw new Error('no manifest.json in the saved archive');
  const images = JSON.parse(manifest.data.toString()) as { Config: string; Layers: string[] }[];
  const config = (image: { Config: string }) => entries.find((e) => e.name === image.Config);
  const wanted = images.find((image) => {
    const file = config(image);
    return file?.type === 'file' && `sha256:${sha256(file.data)}` === id;
  });
  if (!wanted) throw new Error(`the saved archive lacks ${id}`);
  const keep = new Set([wanted.Config, ...wanted.Layers.flatMap((l) => [l, path.dirname(l)])]);
  return [
    ...entries.filter((e) => keep.has(e.name) || keep.has(path.dirname(e.name))),
    { type: 'file', name: 'manifest.json', data: JSON.stringify([wanted]) },
  ];
}

export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** What the folder's manifest says of its one image. */
export interface ArchiveEntry {
  name: string;
  id: string;
  platform?: string;
  /** Default: the archive's own. */
  sha256?: string;
}

/**
 * A new archive folder: `image.tar` (unless `archive` is undefined: the test
 * then makes that path some other way) and `stigmer-images.json` listing it.
 */
export async function archiveFolder(archive: Buffer | undefined, entry: ArchiveEntry): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-import-'));
  if (archive) await writeFile(path.join(dir, 'image.tar'), archive);
  const manifest = {
    format: 'stigmer-images/1',
    createdBy: 'test',
    createdAt: new Date().toISOString(),
    images: [
      {
        name: entry.name,
        file: 'image.tar',
        id: entry.id,
        digest: undefined,
        platform: entry.platform ?? 'linux/amd64',
        sha256: entry.sha256 ?? (archive ? sha256(archive) : '0'.repeat(64)),
        size: archive?.length ?? 0,
      },
    ],
  };
  await writeFile(path.join(dir, 'stigmer-images.json'), JSON.stringify(manifest));
  return dir;
}

/** Every image of the engine with its names, sorted: what a refused import must leave unchanged. */
export async function engineImages(): Promise<string[]> {
  const images = await harnessDocker().listImages({ all: true });
  return images.map((i) => `${i.Id} ${[...(i.RepoTags ?? [])].sort().join(',')}`).sort();
}
