import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { projectDir, stigmer } from '../cli/run.js';
import {
  type ArchiveEntry,
  archiveFolder,
  onlyImage,
  renamed,
  savedEntries,
  sha256,
  engineImages as snapshot,
} from '../harness/archives.js';
import { harnessDocker } from '../harness/context.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import type { TarEntry } from '../harness/tar.js';

/**
 * `stigmer image import` and the offline plugin against archives built to
 * deceive: extra names (A), a manifest naming what the archive lacks (B), an
 * id that is not the archive's (C), files that are links out of the folder,
 * devices, FIFOs or directories, and manifests that list nothing. Every
 * refusal must leave the engine's images and names exactly as they were: each
 * test compares a snapshot of the whole engine before and after.
 */

const pid = process.pid;
/** The user's good image under the local name: no import may take that name from it by accident. */
const LOCAL = `stigmer-it/import-local:${pid}`;
const GOOD_NAME = `stigmer-it/import-good:${pid}`;
const FOREIGN_NAME = `stigmer-it/import-foreign:${pid}`;
let good: string;
let foreign: string;
let user: string;
/** `docker save` archives of the good and the foreign image, saved by id (no names). */
let goodEntries: TarEntry[];
let bothEntries: TarEntry[];
const dirs: string[] = [];

beforeAll(async () => {
  [good, foreign, user] = await Promise.all([
    makeTestImage(GOOD_NAME, { labels: { 'org.stigmer.test.import': `good-${pid}` } }),
    makeTestImage(FOREIGN_NAME, { labels: { 'org.stigmer.test.import': `foreign-${pid}` } }),
    makeTestImage(LOCAL, { labels: { 'org.stigmer.test.import': `user-${pid}` } }),
  ]);
  goodEntries = await savedEntries([good]);
  bothEntries = await savedEntries([good, foreign]);
  // The archives' images must not be in the engine: a load then really adds them.
  await removeImages(harnessDocker(), [GOOD_NAME, FOREIGN_NAME, good, foreign]);
});

afterAll(async () => {
  await removeImages(harnessDocker(), [LOCAL, GOOD_NAME, FOREIGN_NAME, good, foreign, user]);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

beforeEach(async () => {
  // Each test starts with the user's image under the local name and neither archive image present.
  await removeImages(harnessDocker(), [good, foreign]);
  const [repo, tag] = LOCAL.split(':') as [string, string];
  await harnessDocker().getImage(user).tag({ repo, tag });
});

async function imageId(reference: string): Promise<string | undefined> {
  try {
    return (await harnessDocker().getImage(reference).inspect()).Id;
  } catch {
    return undefined;
  }
}

/** An archive folder of `archive` whose manifest says it is `LOCAL`, the good image, unless told otherwise. */
async function folder(archive: Buffer | undefined, entry: Partial<ArchiveEntry> = {}): Promise<string> {
  const dir = await archiveFolder(archive, { name: LOCAL, id: good, ...entry });
  dirs.push(dir);
  return dir;
}

async function importDir(dir: string, env: Record<string, string> = {}) {
  return stigmer(['image', 'import', dir], { cwd: await projectDir(), env });
}

/** Runs an import that must be refused; returns its stderr after checking the engine is untouched. */
async function refusedImport(dir: string, exitCode = 4, env: Record<string, string> = {}): Promise<string> {
  const before = await snapshot();
  const result = await importDir(dir, env);
  expect(result.stdout).toBe('');
  expect(result.exitCode).toBe(exitCode);
  expect(await snapshot()).toEqual(before);
  expect(await imageId(LOCAL)).toBe(user);
  expect(await imageId(good)).toBeUndefined();
  expect(await imageId(foreign)).toBeUndefined();
  return result.stderr;
}

const refusal = (dir: string, name: string, why: string) =>
  `The archive ${path.join(dir, 'image.tar')} of ${name} was refused: ${why}.\n`;

describe('an archive that could swap or lose an image is refused, and the engine is left as it was', () => {
  it('A: it also carries the local name, on another image', async () => {
    const archive = renamed(bothEntries, [[GOOD_NAME], [LOCAL]]);
    const dir = await folder(archive, { name: GOOD_NAME });
    expect(await refusedImport(dir)).toBe(
      refusal(
        dir,
        GOOD_NAME,
        `it holds 2 images (${[good, foreign].sort().join(', ')}), the manifest lists one, ${good}`,
      ),
    );
  });

  it('A: its one image carries another name besides the manifest one', async () => {
    const dir = await folder(renamed(goodEntries, [[GOOD_NAME, LOCAL]]), { name: GOOD_NAME });
    expect(await refusedImport(dir)).toBe(
      refusal(dir, GOOD_NAME, `it would also name ${LOCAL}; an archive may name only ${GOOD_NAME}`),
    );
  });

  it('A: a legacy repositories file names another image', async () => {
    const repositories = { [LOCAL.split(':')[0] as string]: { [LOCAL.split(':')[1] as string]: foreign } };
    const dir = await folder(renamed(goodEntries, [null], repositories), { name: GOOD_NAME });
    expect(await refusedImport(dir)).toBe(
      refusal(dir, GOOD_NAME, `it would also name ${LOCAL}; an archive may name only ${GOOD_NAME}`),
    );
  });

  it("B: the manifest names the local tag, the archive holds only another image: the user's image keeps its name", async () => {
    const dir = await folder(renamed(onlyImage(bothEntries, foreign), [[FOREIGN_NAME]]));
    expect(await refusedImport(dir)).toBe(
      refusal(dir, LOCAL, `it holds ${foreign}, the manifest says ${good}`),
    );
  });

  it('C: the id in the manifest is not the archived image: the previous image keeps its name', async () => {
    const dir = await folder(renamed(goodEntries, [[LOCAL]]), { id: foreign });
    expect(await refusedImport(dir)).toBe(
      refusal(dir, LOCAL, `it holds ${good}, the manifest says ${foreign}`),
    );
  });

  it('the platform the manifest claims is not the one that loads: what the load added is removed again', async () => {
    const dir = await folder(renamed(goodEntries, [null]), { platform: 'linux/arm64' });
    expect(await refusedImport(dir, 4, { STIGMER_PLATFORM: 'linux/arm64' })).toBe(
      refusal(dir, LOCAL, 'it loaded as linux/amd64, the manifest says linux/arm64'),
    );
  });

  it('a damaged archive: refused by its SHA-256 before the engine sees it', async () => {
    const archive = renamed(goodEntries, [null]);
    const damaged = Buffer.from(archive);
    damaged[damaged.length - 3000] = (damaged[damaged.length - 3000] ?? 0) ^ 0xff;
    const dir = await folder(damaged, { sha256: sha256(archive) });
    expect(await refusedImport(dir)).toBe(
      refusal(
        dir,
        LOCAL,
        `its SHA-256 is ${sha256(damaged)}, the manifest says ${sha256(archive)} (damaged or replaced)`,
      ),
    );
  });
});

describe('archive files that are not regular files in the folder are refused at once', () => {
  it('a symbolic link to a valid archive outside the folder: refused, nothing about the target printed', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'stigmer-outside-'));
    dirs.push(outside);
    const archive = renamed(goodEntries, [[LOCAL]]);
    await writeFile(path.join(outside, 'real.tar'), archive);
    const dir = await folder(undefined, { sha256: sha256(archive) });
    await symlink(path.join(outside, 'real.tar'), path.join(dir, 'image.tar'));
    const stderr = await refusedImport(dir);
    expect(stderr).toBe(refusal(dir, LOCAL, `it is a symbolic link to a file outside ${dir}`));
    expect(stderr).not.toContain(outside);
  });

  it('a symbolic link to /dev/zero: refused as a link out of the folder, never read', async () => {
    const dir = await folder(undefined);
    await symlink('/dev/zero', path.join(dir, 'image.tar'));
    const stderr = await refusedImport(dir);
    expect(stderr).toBe(refusal(dir, LOCAL, `it is a symbolic link to a file outside ${dir}`));
    expect(stderr).not.toContain('/dev/zero');
    expect(stderr).not.toMatch(/[0-9a-f]{64}/);
  });

  it('a character device in the folder', async () => {
    const dir = await folder(undefined);
    execFileSync('mknod', [path.join(dir, 'image.tar'), 'c', '1', '5']);
    expect(await refusedImport(dir)).toBe(
      refusal(dir, LOCAL, 'it is a character device, not a regular file'),
    );
  });

  it('a FIFO (named pipe), which would block a reader forever', async () => {
    const dir = await folder(undefined);
    execFileSync('mkfifo', [path.join(dir, 'image.tar')]);
    expect(await refusedImport(dir)).toBe(
      refusal(dir, LOCAL, 'it is a FIFO (named pipe), not a regular file'),
    );
  });

  it('a directory', async () => {
    const dir = await folder(undefined);
    await mkdir(path.join(dir, 'image.tar'));
    expect(await refusedImport(dir)).toBe(refusal(dir, LOCAL, 'it is a directory, not a regular file'));
  });

  it('a manifest that is itself a FIFO: exit 78 at once', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-import-'));
    dirs.push(dir);
    execFileSync('mkfifo', [path.join(dir, 'stigmer-images.json')]);
    expect(await refusedImport(dir, 78)).toBe(
      `The image archive manifest ${path.join(dir, 'stigmer-images.json')} was refused: it is a FIFO (named pipe), not a regular file.\n`,
    );
  });

  it('a manifest listing no images: exit 78', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-import-'));
    dirs.push(dir);
    const manifest = { format: 'stigmer-images/1', createdBy: 't', createdAt: 'now', images: [] };
    await writeFile(path.join(dir, 'stigmer-images.json'), JSON.stringify(manifest));
    expect(await refusedImport(dir, 78)).toBe(
      `The image archive manifest ${path.join(dir, 'stigmer-images.json')} is invalid: images lists no image; write the folder with \`stigmer image export DIR\`.\n`,
    );
  });
});

describe('an archive that is what its manifest says', () => {
  it('loads, and only the manifest name is given, to the verified id; a link inside the folder is fine', async () => {
    const archive = renamed(goodEntries, [null]);
    const dir = await folder(undefined, { sha256: sha256(archive) });
    await writeFile(path.join(dir, 'real.tar'), archive);
    await symlink('real.tar', path.join(dir, 'image.tar'));
    const before = await snapshot();
    const result = await importDir(dir);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      `Imported ${LOCAL} (${good.slice(0, 19)}, linux/amd64) from ${path.join(dir, 'image.tar')}\n`,
    );
    // The only changes: the good image arrived, named LOCAL; the user's image is still there, unnamed now.
    const after = await snapshot();
    expect(after.filter((line) => !before.includes(line)).sort()).toEqual(
      [`${good} ${LOCAL}`, `${user} <none>:<none>`].sort(),
    );
    expect(before.filter((line) => !after.includes(line))).toEqual([`${user} ${LOCAL}`]);
    expect(await imageId(user)).toBe(user);
  });
});

describe('the offline plugin shares the same checks', () => {
  it('--offline with a hostile archive folder: exit 4, nothing loaded, nothing named', async () => {
    const missing = `stigmer-it/import-offline:${pid}`;
    const dir = await folder(renamed(goodEntries, [[missing, LOCAL]]), { name: missing });
    const cwd = await projectDir({
      '.stigmerrc': JSON.stringify({
        image: { localTag: missing },
        plugins: [['offline', { archives: dir }], 'local-image', 'build-hint'],
      }),
    });
    const before = await snapshot();
    const result = await stigmer(['image', 'resolve', '--offline'], { cwd });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toBe(
      refusal(dir, missing, `it would also name ${LOCAL}; an archive may name only ${missing}`),
    );
    expect(await snapshot()).toEqual(before);
    expect(await imageId(missing)).toBeUndefined();
  });
});
