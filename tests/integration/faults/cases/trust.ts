import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  archiveFolder,
  engineImages,
  onlyImage,
  renamed,
  savedEntries,
  sha256,
} from '../../harness/archives.js';
import { harness, harnessDocker } from '../../harness/context.js';
import { makeTestImage, removeImages } from '../../harness/images.js';
import type { TarEntry } from '../../harness/tar.js';
import { publishFreshImage } from '../../pull/helpers.js';
import type { FaultCase, RunSpec, World } from '../fault-case.js';

/**
 * Faults that test trust: archives built to swap or lose an image, a mirror
 * that stalls its failover, a resolver that lies about what it resolved, and
 * a container of stigmer's name that stigmer does not own. Each run must end
 * with its refusal, and the engine must hold exactly what it held before.
 */

const pid = process.pid;
const GOOD = `stigmer-it/fault-archive-good:${pid}`;
const FOREIGN = `stigmer-it/fault-archive-foreign:${pid}`;

interface ArchiveImages {
  good: string;
  foreign: string;
  /** `docker save` of the good image alone, and of both. */
  goodEntries: TarEntry[];
  bothEntries: TarEntry[];
}

let images: Promise<ArchiveImages> | undefined;

/** The archived images, made once for every archive case; not in the engine afterwards. */
function archiveImages(): Promise<ArchiveImages> {
  images ??= (async () => {
    const [good, foreign] = await Promise.all([
      makeTestImage(GOOD, { labels: { 'org.stigmer.test.fault-archive': `good-${pid}` } }),
      makeTestImage(FOREIGN, { labels: { 'org.stigmer.test.fault-archive': `foreign-${pid}` } }),
    ]);
    const [goodEntries, bothEntries] = await Promise.all([
      savedEntries([good]),
      savedEntries([good, foreign]),
    ]);
    await removeImages(harnessDocker(), [GOOD, FOREIGN, good, foreign]);
    return { good, foreign, goodEntries, bothEntries };
  })();
  return images;
}

/** Removes what the archive cases may have left in the engine (run after the matrix). */
export async function cleanupTrustCases(): Promise<void> {
  if (!images) return;
  const { good, foreign } = await images;
  await removeImages(harnessDocker(), [GOOD, FOREIGN, good, foreign]);
}

/**
 * A hostile archive folder imported with `stigmer image import`: refused with
 * `exit` and `says`, and every image and name of the engine as it was.
 */
function archiveCase(
  name: string,
  exit: number,
  says: string,
  make: (w: World, a: ArchiveImages) => Promise<string>,
): FaultCase {
  let dir = '';
  let before: string[] = [];
  return {
    name,
    fault: 'archive',
    setup: async (w) => {
      const a = await archiveImages();
      dir = await make(w, a);
      w.defer(() => rm(dir, { recursive: true, force: true }));
      before = await engineImages();
    },
    runs: (w) => [
      {
        args: ['image', 'import', dir],
        exit,
        says: [says],
        check: async () => {
          const after = await engineImages();
          if (after.join('\n') !== before.join('\n')) {
            const added = after.filter((line) => !before.includes(line));
            const lost = before.filter((line) => !after.includes(line));
            throw new Error(`the engine changed: added ${added.join('; ')}, lost ${lost.join('; ')}`);
          }
          // The user's image still has its name (inspect throws when it lost it).
          await harnessDocker().getImage(w.fixture.localTag).inspect();
        },
      },
    ],
  };
}

/** An archive folder whose `image.tar` is made by `make` (a link, a device...) instead of written. */
async function oddFile(w: World, a: ArchiveImages, make: (file: string) => Promise<void> | void) {
  const dir = await archiveFolder(undefined, { name: w.fixture.localTag, id: a.good });
  await make(path.join(dir, 'image.tar'));
  return dir;
}

const archiveCases: FaultCase[] = [
  archiveCase(
    'hostile archive A: it also carries the local name on another image: refused, the engine unchanged',
    4,
    'holds 2 images',
    (w, a) =>
      archiveFolder(renamed(a.bothEntries, [[GOOD], [w.fixture.localTag]]), { name: GOOD, id: a.good }),
  ),
  archiveCase(
    "hostile archive B: the manifest names the local tag, the archive holds another image: the user's image keeps its name",
    4,
    'the manifest says',
    (w, a) =>
      archiveFolder(renamed(onlyImage(a.bothEntries, a.foreign), [[FOREIGN]]), {
        name: w.fixture.localTag,
        id: a.good,
      }),
  ),
  archiveCase(
    'hostile archive C: an id that is not the archived image: the previous image keeps its name',
    4,
    'the manifest says',
    (w, a) =>
      archiveFolder(renamed(a.goodEntries, [[w.fixture.localTag]]), {
        name: w.fixture.localTag,
        id: a.foreign,
      }),
  ),
  archiveCase(
    'an archive that is a symbolic link out of the folder: refused at once',
    4,
    'it is a symbolic link to a file outside',
    async (w, a) => {
      const archive = renamed(a.goodEntries, [null]);
      const outside = w.file('outside.tar');
      await writeFile(outside, archive);
      const dir = await archiveFolder(undefined, {
        name: w.fixture.localTag,
        id: a.good,
        sha256: sha256(archive),
      });
      await symlink(outside, path.join(dir, 'image.tar'));
      return dir;
    },
  ),
  archiveCase('an archive that is a link to /dev/zero: refused, never read', 4, 'symbolic link', (w, a) =>
    oddFile(w, a, (file) => symlink('/dev/zero', file)),
  ),
  archiveCase('an archive that is a character device', 4, 'character device', (w, a) =>
    oddFile(w, a, (file) => {
      execFileSync('mknod', [file, 'c', '1', '5']);
    }),
  ),
  archiveCase('an archive that is a FIFO, which would block a reader forever', 4, 'FIFO', (w, a) =>
    oddFile(w, a, (file) => {
      execFileSync('mkfifo', [file]);
    }),
  ),
  archiveCase('an archive that is a directory', 4, 'is a directory', (w, a) =>
    oddFile(w, a, (file) => mkdir(file)),
  ),
  archiveCase('a manifest that lists no images: exit 78', 78, 'lists no image', async (w) => {
    const dir = await archiveFolder(undefined, { name: w.fixture.localTag, id: 'none' });
    const manifest = { format: 'stigmer-images/1', createdBy: 't', createdAt: 'now', images: [] };
    await writeFile(path.join(dir, 'stigmer-images.json'), JSON.stringify(manifest));
    return dir;
  }),
];

/** The registry plugin with a mirror (the fault proxy) in front of the open registry, for a fresh image. */
function mirroredPull(
  name: string,
  fault: 'silent once' | 'silent for good',
  check: RunSpec['check'],
): FaultCase {
  return {
    name,
    fault: 'registry',
    pulls: true,
    fixture: async (w) => {
      const origin = harness().openRegistry;
      const tag = `failover-${pid}-${Math.random().toString(36).slice(2, 8)}`;
      await publishFreshImage(origin, 'stigmer/fresh', tag);
      w.pulled.push(`${origin}/stigmer/fresh:${tag}`, `${w.proxy.host}/stigmer/fresh:${tag}`);
      w.proxy.add({
        target: 'blob',
        fault: { kind: 'silent' },
        ...(fault === 'silent once' ? { times: 1 } : {}),
      });
      const image = `${origin}/stigmer/fresh`;
      const mirror = { match: `${origin}/stigmer/*`, rewrite: `${w.proxy.host}/stigmer/*` };
      const registry =
        fault === 'silent once'
          ? ['registry', { image: `${w.proxy.host}/stigmer/fresh`, tag }]
          : ['registry', { image, tag, mirrors: [mirror] }];
      return {
        localImage: false,
        config: {
          pull: { retries: 1, retryDelay: '100ms', stallTimeout: '3s' },
          plugins: ['local-image', registry, 'build-hint'],
        },
      };
    },
    runs: [{ args: ['image', 'pull', '--quiet'], exit: 0, check }],
  };
}

/** The local tag names an image now. */
const tagged = async (w: World) => {
  await harnessDocker().getImage(w.fixture.localTag).inspect();
};

const failoverCases: FaultCase[] = [
  mirroredPull(
    'a mirror that goes silent on blobs, a healthy origin: the image arrives from the origin (no wedge)',
    'silent for good',
    tagged,
  ),
  mirroredPull(
    'a registry that goes silent once, then answers: stigmer fetches the image itself',
    'silent once',
    tagged,
  ),
];

/** A resolver, first in the chain, that answers with `image`. */
function liarCase(name: string, image: (w: World) => Promise<object> | object, says: string): FaultCase {
  const plugin = (json: string) =>
    `export default { name: 'liar', version: '1.0.0', apiVersion: '1.0', apply(hooks) { hooks.resolveImage.tap(() => (${json})); } };\n`;
  let before: string[] = [];
  return {
    name,
    fault: 'plugin',
    setup: async (w) => {
      await w.write('liar.mjs', plugin(JSON.stringify(await image(w))));
      const rc = JSON.parse(await readFile(w.file('.stigmerrc'), 'utf8')) as { plugins: unknown[] };
      rc.plugins = ['./liar.mjs', ...rc.plugins];
      await w.write('.stigmerrc', JSON.stringify(rc));
      before = await engineImages();
    },
    runs: [
      {
        args: ['server', 'start'],
        exit: 70,
        says: ['Plugin "liar" resolved', says],
        check: async () => {
          if ((await engineImages()).join('\n') !== before.join('\n')) throw new Error('the engine changed');
        },
      },
    ],
  };
}

const liarCases: FaultCase[] = [
  liarCase(
    'a resolver that names an image the engine lacks: exit 70 naming it, no container',
    (w) => ({ reference: `${w.fixture.localTag}-missing`, id: harness().testImage.id, source: 'lies' }),
    'the engine has no such image',
  ),
  liarCase(
    'a resolver that gives a wrong id for the reference: exit 70 with both ids, no container',
    (w) => ({ reference: w.fixture.localTag, id: `sha256:${'0'.repeat(64)}`, source: 'lies' }),
    "but the engine's",
  ),
];

/** A container of the configured name that stigmer did not create, made by hand before the runs. */
function foreignCase(name: string, started: boolean, runs: RunSpec[]): FaultCase {
  return {
    name,
    fault: 'ownership',
    foreign: started ? 'running' : 'stopped',
    runs,
  };
}

const ownershipCases: FaultCase[] = [
  foreignCase(
    'a stopped container of our name that stigmer did not create: start refuses (exit 15), nothing removed',
    false,
    [
      {
        args: ['server', 'start'],
        exit: 15,
        says: ['already exists', 'stigmer left it alone', 'docker rm -f'],
      },
    ],
  ),
  foreignCase(
    'a running container of our name that stigmer did not create: start refuses, stop leaves it running',
    true,
    [
      { args: ['server', 'start', '--restart'], exit: 15, says: ['stigmer left it alone'] },
      { args: ['server', 'stop'], exit: 0, says: ['left'] },
    ],
  ),
];

export const trustCases: FaultCase[] = [...archiveCases, ...failoverCases, ...liarCases, ...ownershipCases];
