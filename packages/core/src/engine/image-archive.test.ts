import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { ArchiveFormatError, scanImageArchive, withoutNames } from './image-archive.js';

type Entry = {
  name: string;
  data?: string;
  type?: 'file' | 'directory' | 'symlink' | 'fifo';
  linkname?: string;
};

/** A tar archive of these entries, in order. */
async function tar(entries: Entry[]): Promise<Readable> {
  const p = pack();
  for (const { data, ...header } of entries) p.entry(header, data ?? '');
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(Buffer.from(chunk as Uint8Array));
  return Readable.from([Buffer.concat(chunks)]);
}

/** The entries of a tar stream: name, type and text. */
async function entriesOf(stream: NodeJS.ReadableStream): Promise<Entry[]> {
  const { extract } = await import('tar-stream');
  const x = extract();
  stream.on('error', (error: Error) => x.destroy(error));
  stream.pipe(x as unknown as NodeJS.WritableStream);
  const out: Entry[] = [];
  for await (const entry of x) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(Buffer.from(chunk as Uint8Array));
    out.push({
      name: entry.header.name,
      type: entry.header.type as Entry['type'],
      data: Buffer.concat(chunks).toString(),
    });
  }
  return out;
}

const config = '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}';
const id = `sha256:${createHash('sha256').update(config).digest('hex')}`;
const image = (RepoTags: string[] | null) =>
  JSON.stringify([{ Config: 'abc.json', RepoTags, Layers: ['l1/layer.tar'] }]);

describe('scanImageArchive', () => {
  it("reads each image's id (its config's SHA-256) and every name the archive would give", async () => {
    const scan = await scanImageArchive(
      await tar([
        { name: 'abc.json', data: config },
        { name: 'l1/', type: 'directory' },
        { name: 'l1/layer.tar', data: 'x' },
        { name: 'repositories', data: '{"old":{"tag":"abc"}}' },
        { name: './manifest.json', data: image(['a:1']) },
      ]),
    );
    expect(scan).toEqual({
      images: [{ config: 'abc.json', id, names: ['a:1'], layers: ['l1/layer.tar'] }],
      legacyNames: ['old:tag'],
    });
  });

  it.each([
    [
      [
        { name: 'manifest.json', data: image(null) },
        { name: 'p', type: 'fifo' as const },
      ],
      'it holds a fifo entry ("p")',
    ],
    [[{ name: '../x', data: '' }], 'it holds an entry outside the archive ("../x")'],
    [
      [{ name: 'l', type: 'symlink' as const, linkname: '../../etc/passwd' }],
      'it holds a link out of the archive ("l")',
    ],
    [
      [
        { name: 'a.json', data: '{}' },
        { name: './a.json', data: '{}' },
      ],
      'it holds "a.json" twice',
    ],
    [[{ name: 'a.json', data: '{}' }], 'it has no manifest.json'],
    [
      [{ name: 'manifest.json', data: '{"not":"a list"}' }],
      'its manifest.json is not a `docker save` manifest',
    ],
  ])('refuses what docker save never writes (%#)', async (entries, message) => {
    await expect(scanImageArchive(await tar(entries))).rejects.toThrow(ArchiveFormatError);
    await expect(scanImageArchive(await tar(entries))).rejects.toThrow(message);
  });

  it('refuses bytes that are not a tar archive', async () => {
    await expect(scanImageArchive(Readable.from([Buffer.alloc(1024, 7)]))).rejects.toThrow(
      /it is not a readable tar archive/,
    );
  });
});

describe('withoutNames', () => {
  it('drops repositories and RepoTags and writes manifest.json last, keeping everything else', async () => {
    const out = await entriesOf(
      withoutNames(
        await tar([
          { name: './manifest.json', data: image(['stigmer-agent-runner:local']) },
          { name: 'abc.json', data: config },
          { name: 'repositories', data: '{"stigmer-agent-runner":{"local":"abc"}}' },
          { name: 'l1/', type: 'directory' },
          { name: 'l1/layer.tar', data: 'x' },
        ]),
      ),
    );
    expect(out.map((e) => e.name)).toEqual(['abc.json', 'l1', 'l1/layer.tar', 'manifest.json']);
    expect(JSON.parse(out.at(-1)?.data ?? '')).toEqual([{ Config: 'abc.json', Layers: ['l1/layer.tar'] }]);
  });

  it('fails the stream on an entry docker save never writes', async () => {
    const stream = withoutNames(
      await tar([
        { name: 'manifest.json', data: image(null) },
        { name: 'p', type: 'fifo' },
      ]),
    );
    await expect(entriesOf(stream)).rejects.toThrow('it holds a fifo entry ("p")');
  });
});
