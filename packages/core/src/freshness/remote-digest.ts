import type { RegistryAuth } from '../engine/types.js';
import { requestManifest } from '../pull/registry-client.js';

/**
 * The registry's current digest for a tag, asked with a manifest HEAD (no
 * layers, no manifest body), through the token flow registries such as
 * ghcr.io and distribution use. This is how the `newer` pull policy tells
 * whether the local image is still the registry's.
 */

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
  try {
    const response = await requestManifest(registry, repository, tag, 'HEAD', options);
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
