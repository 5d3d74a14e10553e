import type { RegistryAuth } from '../engine/types.js';
import { normalisePlatform } from '../image/platform.js';
import { parseRetryAfter } from './backoff.js';
import { RegistrySession } from './registry-auth.js';

/**
 * A few direct questions to a registry, for what the engine does not tell:
 * the platforms a tag offers (the engine only says "no matching manifest"),
 * and how long a rate limit lasts (the engine drops `Retry-After`). It
 * authenticates as the engine does (`registry-auth.ts`). Secrets go only into
 * request headers, never into results or errors.
 */

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** How long one question may take: these are diagnostics, never worth a long wait. */
const PROBE_TIMEOUT_MS = 10_000;

/** What a manifest request answered. */
export interface ManifestAnswer {
  status: number;
  /** From `Retry-After`, when the registry sent one. */
  retryAfterMs: number | undefined;
  /** `os/arch[/variant]` of each entry when the tag is a multi-platform index. */
  platforms: string[] | undefined;
}

/** `http` for loopback registries (the engine treats them as insecure by default), else `https`. */
export function registryBaseUrl(registry: string): string {
  const host = registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
  const name = host.replace(/:\d+$/, '');
  const loopback = name === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '[::1]';
  return `${loopback ? 'http' : 'https'}://${host}`;
}

/** Platforms of an image index; `undefined` for a single-platform manifest. */
export function indexPlatforms(body: unknown): string[] | undefined {
  const manifests = (body as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) return undefined;
  const platforms: string[] = [];
  for (const entry of manifests) {
    const platform = (entry as { platform?: { os?: string; architecture?: string; variant?: string } })
      .platform;
    // Attestation manifests (buildx) say unknown/unknown: not a platform anyone can pull.
    if (!platform?.os || !platform.architecture || platform.os === 'unknown') continue;
    const name = normalisePlatform(platform.os, platform.architecture, platform.variant);
    if (!platforms.includes(name)) platforms.push(name);
  }
  return platforms;
}

/**
 * Asks for the manifest of `repository:tagOrDigest` (GET, or HEAD for the
 * digest alone), answering the registry's challenge as the engine would
 * (`RegistrySession`: Basic, a bearer token from the realm, or an identity
 * token's refresh grant). Never throws for an HTTP status; network errors,
 * timeouts and aborts do throw.
 */
export async function requestManifest(
  registry: string,
  repository: string,
  tagOrDigest: string,
  method: 'GET' | 'HEAD',
  options: { auth?: RegistryAuth | undefined; signal?: AbortSignal | undefined } = {},
): Promise<Response> {
  const signal = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)])
    : AbortSignal.timeout(PROBE_TIMEOUT_MS);
  const url = `${registryBaseUrl(registry)}/v2/${repository}/manifests/${tagOrDigest}`;
  return new RegistrySession(options.auth, signal).fetch(url, {
    method,
    headers: { accept: MANIFEST_TYPES },
  });
}

/** GETs the manifest: its status, `Retry-After`, and the platforms when the tag is an index. */
export async function fetchManifest(
  registry: string,
  repository: string,
  tagOrDigest: string,
  options: { auth?: RegistryAuth | undefined; signal?: AbortSignal | undefined } = {},
): Promise<ManifestAnswer> {
  const response = await requestManifest(registry, repository, tagOrDigest, 'GET', options);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  let platforms: string[] | undefined;
  if (response.ok) platforms = indexPlatforms(await response.json().catch(() => undefined));
  else await response.body?.cancel();
  return { status: response.status, retryAfterMs, platforms };
}
