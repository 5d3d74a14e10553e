import { createCipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { connectEngine } from './engine.js';
import { followProgress } from './progress.js';
import { type TarEntry, tarArchive } from './tar.js';

/**
 * Test images, made on this machine: there is no registry to pull from.
 *
 * The root filesystem is a static busybox plus symlinks for the applets the
 * tests use, so a container can run a shell, sleep, print its environment or
 * talk to a loopback service with nc. Images are built with the classic
 * builder through the Engine API from a `FROM scratch` Dockerfile: unlike an
 * import, a build sets labels and config (CMD), and each COPY is one layer, so
 * multi-layer images come for free. BuildKit is not available here; the
 * classic builder is what the Engine API uses by default.
 */

/** Marks everything the harness builds, so leftovers can be found. */
export const HARNESS_LABEL = 'org.stigmer.test-harness';

const BUSYBOX = '/bin/busybox';

/** Applets linked into /bin; busybox picks the applet from argv[0]. */
const APPLETS = [
  'sh',
  'ash',
  'nc',
  'sleep',
  'cat',
  'env',
  'echo',
  'printf',
  'true',
  'false',
  'test',
  'ls',
  'id',
  'whoami',
  'hostname',
  'uname',
  'pwd',
  'mkdir',
  'rm',
  'cp',
  'mv',
  'ln',
  'touch',
  'chmod',
  'head',
  'tail',
  'grep',
  'sed',
  'wc',
  'tr',
  'cut',
  'sort',
  'date',
  'ps',
  'kill',
  'timeout',
  'tee',
  'stat',
  'seq',
  'wget',
] as const;

export interface TestImageOptions {
  /** Image labels, e.g. `{ 'org.opencontainers.image.version': '0.1.0' }`. */
  labels?: Record<string, string>;
  /** Number of layers: the busybox root filesystem plus `layers - 1` filler layers. Default 1. */
  layers?: number;
  /**
   * Approximate total image size. The busybox layer is about 2 MB; the rest is
   * split evenly over the filler layers (which must then exist: layers >= 2).
   */
  sizeBytes?: number;
  /** A Dockerfile HEALTHCHECK instruction's arguments, e.g. `--interval=7s CMD true`. Default: none. */
  healthcheck?: string;
  /** Default: a new connection to the engine found by connectEngine(). */
  docker?: Docker;
}

/**
 * Builds `tag` (e.g. `stigmer-harness/agent-runner:0.1.0`) and returns its
 * image id (`sha256:...`). Rebuilding the same tag with the same options hits
 * the build cache: the context is byte-identical between runs.
 */
export async function makeTestImage(tag: string, options: TestImageOptions = {}): Promise<string> {
  const docker = options.docker ?? (await connectEngine());
  const layers = options.layers ?? 1;
  if (!Number.isInteger(layers) || layers < 1)
    throw new Error(`layers must be an integer >= 1, got ${layers}`);
  const fillerSizes = fillerLayerSizes(layers, options.sizeBytes);
  const labels = { [HARNESS_LABEL]: 'true', ...options.labels };

  const context = tarArchive([
    { type: 'file', name: 'Dockerfile', data: dockerfile(fillerSizes.length, labels, options.healthcheck) },
    ...rootfsEntries('rootfs'),
    ...fillerSizes.map((size, index) => fillerEntry(tag, index, size)),
  ]);
  const stream = await docker.buildImage(Readable.from([context]), { t: tag, rm: true, forcerm: true });
  await followProgress(docker, stream, `build ${tag}`);
  const image = await docker.getImage(tag).inspect();
  return image.Id;
}

/** A small image of `layers` layers (default 3), about `sizeBytes` in all (default 4 MB). */
export function makeMultiLayerImage(
  tag: string,
  options: Omit<TestImageOptions, 'layers'> & { layers?: number } = {},
): Promise<string> {
  return makeTestImage(tag, { layers: 3, sizeBytes: 4 * 1024 * 1024, ...options });
}

/** True when the engine has an image by this reference (name, tag or id). */
export async function imageExists(docker: Docker, reference: string): Promise<boolean> {
  try {
    await docker.getImage(reference).inspect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes images by reference, ignoring those already gone. Removing a tag
 * whose image has other tags only untags it, which is what tests want.
 */
export async function removeImages(docker: Docker, refs: readonly string[]): Promise<void> {
  for (const ref of refs) {
    try {
      await docker.getImage(ref).remove({ force: true });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
}

function dockerfile(fillerLayers: number, labels: Record<string, string>, healthcheck?: string): string {
  const lines = ['FROM scratch', 'COPY rootfs/ /'];
  for (let index = 0; index < fillerLayers; index++) lines.push(`COPY layer-${index}/ /`);
  // A JSON string is also a Dockerfile double-quoted string for ordinary
  // values, once `$` is escaped (LABEL expands variables); control characters
  // would not survive, so they are refused.
  for (const [key, value] of Object.entries(labels)) {
    if ([...key, ...value].some((char) => char.charCodeAt(0) < 0x20)) {
      throw new Error(`label ${key} has control characters`);
    }
    lines.push(`LABEL ${dockerfileString(key)}=${dockerfileString(value)}`);
  }
  if (healthcheck !== undefined) lines.push(`HEALTHCHECK ${healthcheck.replaceAll('\n', ' ')}`);
  lines.push('CMD ["/bin/sh"]');
  return `${lines.join('\n')}\n`;
}

function dockerfileString(text: string): string {
  return JSON.stringify(text).replaceAll('$', '\\$');
}

/** The busybox root filesystem, under `prefix/` in the build context. */
function rootfsEntries(prefix: string): TarEntry[] {
  return [
    { type: 'dir', name: prefix },
    { type: 'dir', name: `${prefix}/bin` },
    { type: 'file', name: `${prefix}/bin/busybox`, data: staticBusybox(), mode: 0o755 },
    ...APPLETS.map(
      (applet): TarEntry => ({ type: 'symlink', name: `${prefix}/bin/${applet}`, target: 'busybox' }),
    ),
    { type: 'dir', name: `${prefix}/etc` },
    // Users exist so that tests can run containers as a non-root user by name.
    {
      type: 'file',
      name: `${prefix}/etc/passwd`,
      data: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    },
    { type: 'file', name: `${prefix}/etc/group`, data: 'root:x:0:\nnogroup:x:65534:\n' },
    { type: 'dir', name: `${prefix}/root`, mode: 0o700 },
    { type: 'dir', name: `${prefix}/tmp`, mode: 0o1777 },
  ];
}

let busyboxCache: Buffer | undefined;

/**
 * The host's /bin/busybox, which must be the static build: a scratch image
 * has no dynamic loader, and a dynamic busybox would fail in the container
 * with a puzzling "no such file or directory".
 */
function staticBusybox(): Buffer {
  if (busyboxCache) return busyboxCache;
  let binary: Buffer;
  try {
    binary = readFileSync(BUSYBOX);
  } catch (error) {
    throw new Error(`${BUSYBOX} not found: install it with \`apt-get install -y busybox-static\``, {
      cause: error,
    });
  }
  // A dynamic executable names its loader (ld-linux*.so) near the start.
  if (binary.subarray(0, 4096).includes('ld-linux')) {
    throw new Error(`${BUSYBOX} is dynamically linked: install \`busybox-static\` instead of \`busybox\``);
  }
  busyboxCache = binary;
  return binary;
}

function fillerLayerSizes(layers: number, sizeBytes: number | undefined): number[] {
  const count = layers - 1;
  if (count === 0) {
    if (sizeBytes !== undefined)
      throw new Error('sizeBytes needs layers >= 2 (the filler goes in extra layers)');
    return [];
  }
  const rest = Math.max(0, (sizeBytes ?? 0) - staticBusybox().length);
  // Each filler layer is at least 4 KiB so that no two layers are identical.
  return Array.from({ length: count }, () => Math.max(4096, Math.floor(rest / count)));
}

/**
 * Incompressible but deterministic bytes: transfers are as large as the
 * image claims, and the build cache still recognises the layer next time.
 */
function fillerEntry(tag: string, index: number, size: number): TarEntry {
  const key = createHash('sha256').update(`${tag}#${index}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const data = Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
  return { type: 'file', name: `layer-${index}/filler/layer-${index}.bin`, data };
}
