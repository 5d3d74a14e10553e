import type { RegistryAuth } from '../engine/types.js';
import { parseBearerChallenge, registryBaseUrl } from '../pull/registry-client.js';

/**
 * The registry's current digest for a tag, asked with a manifest HEAD (no
 * layers, no manifest body), through the token flow registries such as
 * ghcr.io and distribution use. This is how the `newer` pull policy tells
 * whether the local image is still the registry's.
 */

/** The manifest types the engine accepts, so the registry answers with the digest the engine records. */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A freshness check is never worth a long wait. */
const TIMEOUT_MS = 10_000;

/** What the registry answered. */
export type RemoteDigest =
  | { ok: true; digest: string }
  /** `status` is the HTTP status, or undefined when the registry could not be reached. */
  | { ok: false; status: number | undefined; error: string };

/** HEADs `registry/repository:tag`'s manifest and returns its `Docker-Content-Digest`. Never throws but on abort. */
export async function remoteDigest(
  registry: string,
  repository: string,
  tag: string,
  options: { auth?: RegistryAuth | undefined; signal?: AbortSignal | undefined } = {},
): Promise<RemoteDigest> {
  const signal = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(TIMEOUT_MS)])
    : AbortSignal.timeout(TIMEOUT_MS);
  const url = `${registryBaseUrl(registry)}/v2/${repository}/manifests/${tag}`;
  const headers: Record<string, string> = { accept: MANIFEST_TYPES };
  if (options.auth?.registryToken) headers.authorization = `Bearer ${options.auth.registryToken}`;
  try {
    let response = await fetch(url, { method: 'HEAD', headers, signal });
    const challenge =
      response.status === 401 ? parseBearerChallenge(response.headers.get('www-authenticate')) : undefined;
    if (challenge) {
      const token = await bearerToken(challenge, options.auth, signal);
      if (token) {
        response = await fetch(url, {
          method: 'HEAD',
          headers: { ...headers, authorization: `Bearer ${token}` },
          signal,
        });
      }
    }
    const digest = response.headers.get('docker-content-digest');
    if (response.ok && digest) return { ok: true, digest };
    return {
      ok: false,
      status: response.status,
      error: response.ok
        ? 'the registry sent no Docker-Content-Digest'
        : `the registry answered ${response.status} ${response.statusText}`.trim(),
    };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, status: undefined, error: cause?.code ?? cause?.message ?? (error as Error).message };
  }
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
