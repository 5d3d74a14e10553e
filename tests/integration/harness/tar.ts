/**
 * A minimal ustar writer, enough for build contexts and root filesystems.
 *
 * Written here rather than imported because the harness must not depend on
 * packages that the repository does not declare (tar-stream is only a
 * transitive dependency of dockerode), and because test images need exact
 * control over symlinks, modes and timestamps: fixed metadata makes the
 * context byte-identical between runs, so the engine's build cache is hit and
 * the global setup stays fast.
 */

export type TarEntry =
  | { type: 'file'; name: string; data: Buffer | string; mode?: number }
  | { type: 'dir'; name: string; mode?: number }
  | { type: 'symlink'; name: string; target: string };

const BLOCK = 512;
/** A fixed mtime (2023-11-14) keeps archives reproducible. */
const MTIME = 1_700_000_000;

/** Builds a complete tar archive (with its two-block end marker) in memory. */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === 'file' ? Buffer.from(entry.data) : Buffer.alloc(0);
    parts.push(header(entry, data.length), data, padding(data.length));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const name = entry.type === 'dir' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
  // Names over 100 bytes would need the ustar prefix field; test images
  // never need such paths, so refuse them rather than carry the code.
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, modeOf(entry));
  writeOctal(block, 108, 8, 0); // uid: root
  writeOctal(block, 116, 8, 0); // gid: root
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, MTIME);
  block.write(typeFlag(entry), 156, 1, 'ascii');
  if (entry.type === 'symlink') block.write(entry.target, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'ascii');
  block.write('root', 265, 32, 'ascii');
  block.write('root', 297, 32, 'ascii');
  // The checksum is computed with its own field read as eight spaces.
  block.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return block;
}

function modeOf(entry: TarEntry): number {
  if (entry.type === 'symlink') return 0o777;
  return entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644);
}

function typeFlag(entry: TarEntry): string {
  if (entry.type === 'dir') return '5';
  if (entry.type === 'symlink') return '2';
  return '0';
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/**
 * Reads a tar archive (ustar, as `docker save` writes it) into entries, so
 * tests can take a real archive apart and build hostile variants of it.
 * PAX and GNU extensions are refused: the archives read here never have them.
 */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) break;
    const text = (start: number, length: number) =>
      block
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const prefix = text(345, 155);
    const name = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
    const size = Number.parseInt(text(124, 12).trim() || '0', 8);
    const flag = text(156, 1) || '0';
    const mode = Number.parseInt(text(100, 8).trim() || '0', 8);
    const data = archive.subarray(offset + BLOCK, offset + BLOCK + size);
    offset += BLOCK + size + padding(size).length;
    if (flag === '0') entries.push({ type: 'file', name, data: Buffer.from(data), mode: mode & 0o7777 });
    else if (flag === '5') entries.push({ type: 'dir', name: name.replace(/\/$/, ''), mode: mode & 0o7777 });
    else if (flag === '2') entries.push({ type: 'symlink', name, target: text(157, 100) });
    else throw new Error(`readTar: entry ${name} has type ${flag}, which this reader does not handle`);
  }
  return entries;
}
