import type { RegistryAuth } from '../engine/types.js';
import { normalisePlatform } from '../image/platform.js';
import { parseRetryAfter } from './backoff.js';

/**
 * A few direct questions to a registry, for what the engine does not tell:
 * the platforms a tag offers (the engine only says "no matching manifest"),
 * and how long a rate limit lasts (the engine drops `Retry-After`). It speaks
 * the token flow ghcr.io and distribution use: a 401 names a realm, the realm
 * hands out a bearer token (anonymously, or for Basic credentials).
 * Secrets go only into request headers, never into results or errors.
 */

const MANIFEST_TYPES = [
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

/** Parses `Bearer realm="...",service="...",scope="..."`. */
export function parseBearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) {
    if (match[1] && match[2] !== undefined) params[match[1].toLowerCase()] = match[2];
  }
  return params.realm ? params : undefined;
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

async function bearerToken(
  challenge: Record<string, string>,
  auth: RegistryAuth | undefined,
  signal: AbortSignal,
): Promise<string | undefined> {
  const url = new URL(challenge.realm as string);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  if (challenge.scope) url.searchParams.set('scope', challenge.scope);
  const headers: Record<string, string> = {};
  if (auth?.username && auth.password) {
    headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }
  const response = await fetch(url, { headers, signal });
  if (!response.ok) {
    await response.body?.cancel();
    return undefined;
  }
  const body = (await response.json()) as { token?: string; access_token?: string };
  return body.token || body.access_token || undefined;
}

/**
 * Asks for the manifest of `repository:tagOrDigest` (GET, or HEAD for the
 * digest alone), following the token flow once: a 401 with a bearer
 * challenge gets a token from the realm (anonymously or with Basic
 * credentials) and the request is repeated with it. Never throws for an HTTP
 * status; network errors, timeouts and aborts do throw.
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
  const headers: Record<string, string> = { accept: MANIFEST_TYPES };
  if (options.auth?.registryToken) headers.authorization = `Bearer ${options.auth.registryToken}`;
  const response = await fetch(url, { method, headers, signal });
  const challenge =
    response.status === 401 ? parseBearerChallenge(response.headers.get('www-authenticate')) : undefined;
  if (!challenge) return response;
  await response.body?.cancel();
  const token = await bearerToken(challenge, options.auth, signal);
  if (!token) return response;
  return fetch(url, { method, headers: { ...headers, authorization: `Bearer ${token}` }, signal });
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
