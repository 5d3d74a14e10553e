import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadArchive } from '../engine/image-archive.js';
import type { Engine, PullEvent, RegistryAuth } from '../engine/types.js';
import { normalisePlatform, platformMatches } from '../image/platform.js';
import {
  type BlobDescriptor,
  directFailure,
  downloadBlob,
  networkFailure,
  statusKind,
} from './blob-download.js';
import { RegistrySession } from './registry-auth.js';
import { indexPlatforms, MANIFEST_TYPES, registryBaseUrl } from './registry-client.js';

/**
 * A pull that does not go through the engine's download manager, for when the
 * engine cannot be trusted with one: after a stall, the engine keeps the hung
 * layer transfer, and any later pull of the same layers (from a retry, or
 * from another registry) waits on it until the stalled connection closes.
 * stigmer fetches the image itself instead, as the engine would (the same
 * credentials and token flow, the platform picked from the index, every blob
 * and manifest checked against its SHA-256 digest, blobs resumed with
 * `Range`, layer progress reported as the engine reports it), then hands it to
 * the engine as a `docker load` archive without a name. The caller names it,
 * by id, once everything checked out.
 */

/** What a direct pull loaded. */
export interface DirectPullResult {
  /** The engine's image id: the config's digest. */
  id: string;
  /** The digest of what the tag pointed at (the index for a multi-platform tag), as `RepoDigests` would hold it. */
  digest: string;
  /** `os/arch[/variant]` of the image's config. */
  platform: string;
}

/** What a direct pull needs. */
export interface DirectPullRequest {
  registry: string;
  repository: string;
  /** A tag or a `sha256:` digest. */
  tagOrDigest: string;
  /** The platform wanted (`os/arch[/variant]`). */
  platform: string;
  auth: RegistryAuth | undefined;
  stallTimeoutMs: number;
  /** Where blobs are kept between attempts (resumed from there); the caller removes it. */
  dir: string;
  signal: AbortSignal;
  onEvent?: ((event: PullEvent) => void) | undefined;
}

/** The largest manifest or config stigmer reads into memory. */
const MAX_JSON_BYTES = 4 * 1024 * 1024;

/** Layers fetched side by side, as the engine does. */
const CONCURRENT_LAYERS = 3;

interface ImageManifest {
  mediaType?: string;
  schemaVersion?: number;
  config?: BlobDescriptor;
  layers?: Array<BlobDescriptor & { mediaType?: string; urls?: string[] }>;
  manifests?: Array<BlobDescriptor & { platform?: { os?: string; architecture?: string; variant?: string } }>;
}

/** Pulls `request`'s image into the engine (see the module comment) and returns its id. */
export async function directPull(engine: Engine, request: DirectPullRequest): Promise<DirectPullResult> {
  if (!engine.loadImages)
    throw directFailure('failed', 'this engine cannot load images, which a pull after a stall needs');
  const session = new RegistrySession(request.auth, request.signal);
  const base = `${registryBaseUrl(request.registry)}/v2/${request.repository}`;
  const top = await getManifest(
    session,
    base,
    request.tagOrDigest,
    request.tagOrDigest.startsWith('sha256:') ? request.tagOrDigest : undefined,
  );
  const manifest = await forPlatform(session, base, top.body, request.platform);
  const { config, layers } = manifestParts(manifest);
  await mkdir(request.dir, { recursive: true, mode: 0o700 });
  const file = (blob: BlobDescriptor) => path.join(request.dir, blob.digest.replace(/^sha256:/, ''));
  const blobUrl = (blob: BlobDescriptor) => `${base}/blobs/${blob.digest}`;
  const download = (blob: BlobDescriptor, onEvent: DirectPullRequest['onEvent']) =>
    downloadBlob(session, blobUrl(blob), blob, file(blob), {
      stallTimeoutMs: request.stallTimeoutMs,
      signal: request.signal,
      onEvent,
    });

  // The config is not a layer: the engine reports no progress for it either.
  await download(config, undefined);
  const platform = configPlatform(JSON.parse(await readFile(file(config), 'utf8')) as unknown);
  if (!platformMatches(platform, request.platform)) {
    throw directFailure('wrong-platform', `the image is ${platform}`);
  }
  await inPool(unique(layers), CONCURRENT_LAYERS, (layer) => download(layer, request.onEvent));

  request.onEvent?.({ type: 'status', status: 'Loading the image into the engine' });
  const part = (blob: BlobDescriptor, name: string) => ({
    name,
    size: blob.size,
    open: () => createReadStream(file(blob)),
  });
  const hex = (blob: BlobDescriptor) => blob.digest.replace(/^sha256:/, '');
  const archive = loadArchive(
    part(config, `${hex(config)}.json`),
    layers.map((layer) => part(layer, `${hex(layer)}/layer.tar`)),
  );
  const { ids, added } = await engine.loadImages(archive, {
    source: `${request.registry}/${request.repository}`,
    signal: request.signal,
  });
  if (ids.length !== 1 || ids[0] !== config.digest) {
    for (const id of added) await engine.removeImage(id).catch(() => {});
    throw directFailure(
      'failed',
      `the engine loaded ${ids.join(', ') || 'nothing'}, not the image ${config.digest}`,
    );
  }
  for (const layer of unique(layers)) {
    request.onEvent?.({ type: 'layer', layer: hex(layer).slice(0, 12), status: 'Pull complete' });
  }
  request.onEvent?.({ type: 'digest', digest: top.digest });
  return { id: config.digest, digest: top.digest, platform };
}

/** GETs a manifest, checks its digest (against the one asked for, and the one the registry names). */
async function getManifest(
  session: RegistrySession,
  base: string,
  reference: string,
  expected: string | undefined,
): Promise<{ body: ImageManifest; digest: string }> {
  const response = await session
    .fetch(`${base}/manifests/${reference}`, { headers: { accept: MANIFEST_TYPES } })
    .catch((error: unknown) => {
      throw networkFailure(error, `requesting the manifest of ${reference}`, session.signal);
    });
  if (!response.ok) {
    const said = await registryWords(response);
    throw directFailure(statusKind(response.status), said, response.status);
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > MAX_JSON_BYTES)
    throw directFailure('failed', `the manifest of ${reference} is ${bytes.length} bytes, too large`);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const named = response.headers.get('docker-content-digest');
  for (const claimed of [expected, named?.startsWith('sha256:') ? named : undefined]) {
    if (claimed && claimed !== digest) {
      throw directFailure('failed', `the manifest of ${reference} has SHA-256 ${digest}, not ${claimed}`);
    }
  }
  try {
    return { body: JSON.parse(bytes.toString('utf8')) as ImageManifest, digest };
  } catch {
    throw directFailure('failed', `the manifest of ${reference} is not JSON`);
  }
}

/** The registry's own words for a refusal: its `errors[0]`, as the engine quotes it. */
async function registryWords(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const error = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors?.[0];
    if (error?.code || error?.message)
      return `${(error.code ?? '').toLowerCase().replace(/_/g, ' ')}: ${error.message ?? ''}`.trim();
  } catch {}
  return `the registry answered ${response.status} ${response.statusText}`.trim();
}

/** The image manifest for `platform`: the manifest itself, or the index entry's, fetched by digest. */
async function forPlatform(
  session: RegistrySession,
  base: string,
  manifest: ImageManifest,
  platform: string,
): Promise<ImageManifest> {
  if (!Array.isArray(manifest.manifests)) return manifest;
  const entry = manifest.manifests.find(
    (m) =>
      m.platform?.os &&
      m.platform.architecture &&
      platformMatches(
        normalisePlatform(m.platform.os, m.platform.architecture, m.platform.variant),
        platform,
      ),
  );
  if (!entry) {
    throw directFailure(
      'wrong-platform',
      `no matching manifest for ${platform} (it has ${(indexPlatforms(manifest) ?? []).join(', ')})`,
    );
  }
  return (await getManifest(session, base, entry.digest, entry.digest)).body;
}

/** The config and layers of an image manifest, each with a checkable digest and size. */
function manifestParts(manifest: ImageManifest): { config: BlobDescriptor; layers: BlobDescriptor[] } {
  const valid = (blob: BlobDescriptor | undefined): blob is BlobDescriptor =>
    !!blob && /^sha256:[a-f0-9]{64}$/.test(blob.digest) && Number.isSafeInteger(blob.size) && blob.size >= 0;
  const { config, layers } = manifest;
  if (!valid(config) || !Array.isArray(layers) || !layers.every(valid)) {
    throw directFailure(
      'failed',
      `stigmer cannot pull this manifest itself (${manifest.mediaType ?? `schema ${manifest.schemaVersion}`})`,
    );
  }
  if (layers.some((layer) => layer.urls)) {
    throw directFailure('failed', 'the image has foreign layers (urls), which stigmer does not fetch');
  }
  return { config, layers };
}

/** `os/arch[/variant]` of an image config. */
function configPlatform(config: unknown): string {
  const c = config as { os?: unknown; architecture?: unknown; variant?: unknown };
  if (typeof c?.os !== 'string' || typeof c.architecture !== 'string') {
    throw directFailure('failed', 'the image config names no platform');
  }
  return normalisePlatform(c.os, c.architecture, typeof c.variant === 'string' ? c.variant : undefined);
}

function unique(blobs: BlobDescriptor[]): BlobDescriptor[] {
  return blobs.filter((blob, i) => blobs.findIndex((b) => b.digest === blob.digest) === i);
}

/** Runs `work` on every item, at most `limit` at a time; the first failure wins once the others stop. */
async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
