import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { harness, harnessDocker } from '../harness/context.js';
import { removeImages } from '../harness/images.js';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The harness's test image as `repository:tag`. */
export function testImageRef(): string {
  const { repository, tag } = harness().testImage;
  return `${repository}:${tag}`;
}

/**
 * Image names a test made, removed after each test so that no test sees
 * another's leftovers. `name()` gives a fresh name and registers it.
 */
export function imageNames(prefix: string) {
  let counter = 0;
  const made: string[] = [];
  afterEach(async () => {
    await removeImages(harnessDocker(), made.splice(0));
  });
  return {
    /** A fresh `stigmer-it/<prefix>:t<pid>-<n>` name, removed after the test. */
    name: () => {
      const name = `stigmer-it/${prefix}:t${process.pid}-${++counter}`;
      made.push(name);
      return name;
    },
    /** Registers a name made some other way (a pulled reference) for removal. */
    track: (...names: string[]) => made.push(...names),
  };
}

/** Tags the harness's test image (or `source`) as `target`. */
export async function tagImage(target: string, source = testImageRef()): Promise<void> {
  const colon = target.lastIndexOf(':');
  await harnessDocker()
    .getImage(source)
    .tag({ repo: target.slice(0, colon), tag: target.slice(colon + 1) });
}

/** The engine's id of `reference`, or undefined when the engine does not have it. */
export async function imageId(reference: string): Promise<string | undefined> {
  try {
    return (await harnessDocker().getImage(reference).inspect()).Id;
  } catch {
    return undefined;
  }
}

/**
 * Installs a package folder into `project/node_modules/<name>` the way
 * `npm install` lays it out (a copy of the package's files), so the CLI finds
 * it by name exactly as it would after `npm install <name>`.
 */
export async function installPackage(project: string, packageDir: string, name: string): Promise<string> {
  const target = path.join(project, 'node_modules', name);
  await mkdir(path.dirname(target), { recursive: true });
  await cp(packageDir, target, {
    recursive: true,
    filter: (source) => !/node_modules|\.test\.|tsconfig\.json$/.test(path.relative(packageDir, source)),
  });
  return target;
}
