import { createHash } from 'node:crypto';

/**
 * A multi-platform tag made offline: there is no arm64 builder here, and the
 * engine never runs what the tests pull, so an arm64 variant is the amd64
 * image's layers with a config that says `arm64`. Written straight to the
 * registry API of an open (no auth) registry: the config blob is uploaded, a
 * manifest for it is put under a helper tag, and a manifest list naming both
 * manifests with their platforms is put under `tag`.
 */

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function expectOk(response: Response, what: string): Promise<Response> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

async function uploadBlob(base: string, repository: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const start = await expectOk(
    await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' }),
    `start upload to ${repository}`,
  );
  const location = new URL(start.headers.get('location') ?? '', base);
  location.searchParams.set('digest', digest);
  await expectOk(
    await fetch(location, {
      method: 'PUT',
      body: data,
      headers: { 'content-type': 'application/octet-stream' },
    }),
    `upload blob ${digest}`,
  );
  return digest;
}

async function putManifest(
  base: string,
  repository: string,
  reference: string,
  mediaType: string,
  body: string,
): Promise<{ digest: string; size: number }> {
  await expectOk(
    await fetch(`${base}/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      body,
      headers: { 'content-type': mediaType },
    }),
    `put manifest ${repository}:${reference}`,
  );
  return { digest: sha256(body), size: Buffer.byteLength(body) };
}

/**
 * Puts `registry/repository:tag` as a manifest list of linux/amd64 (the
 * existing single-platform `sourceTag`) and linux/arm64. Returns the digests.
 */
export async function pushMultiArch(
  registry: string,
  repository: string,
  sourceTag: string,
  tag: string,
): Promise<{ amd64: string; arm64: string; list: string }> {
  const base = `http://${registry}`;
  const sourceResponse = await expectOk(
    await fetch(`${base}/v2/${repository}/manifests/${sourceTag}`, { headers: { accept: MANIFEST_V2 } }),
    `get ${repository}:${sourceTag}`,
  );
  const sourceText = await sourceResponse.text();
  const source = JSON.parse(sourceText) as { config: { digest: string; size: number } };
  const configResponse = await expectOk(
    await fetch(`${base}/v2/${repository}/blobs/${source.config.digest}`),
    'get config blob',
  );
  const config = JSON.parse(await configResponse.text()) as Record<string, unknown>;
  const armConfig = Buffer.from(JSON.stringify({ ...config, architecture: 'arm64', variant: 'v8' }));
  const armConfigDigest = await uploadBlob(base, repository, armConfig);
  const armManifest = JSON.stringify({
    ...source,
    config: { ...source.config, digest: armConfigDigest, size: armConfig.length },
  });
  const arm = await putManifest(base, repository, `${tag}-arm64`, MANIFEST_V2, armManifest);
  const amd = { digest: sha256(sourceText), size: Buffer.byteLength(sourceText) };
  const list = JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST_LIST,
    manifests: [
      { mediaType: MANIFEST_V2, ...amd, platform: { architecture: 'amd64', os: 'linux' } },
      { mediaType: MANIFEST_V2, ...arm, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
    ],
  });
  const pushed = await putManifest(base, repository, tag, MANIFEST_LIST, list);
  return { amd64: amd.digest, arm64: arm.digest, list: pushed.digest };
}
