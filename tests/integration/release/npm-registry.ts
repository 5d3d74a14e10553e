import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * An npm registry on loopback, enough for `npm install` and `npm publish`:
 * packuments, tarballs and publishes. It serves every package of the
 * repository's package-lock.json from the npm cache that `npm ci` filled (so
 * installing needs no network and never reaches registry.npmjs.org), plus the
 * tarballs a test adds or publishes. It records the order of publishes.
 */
export interface NpmRegistry {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** `name@version` of every publish accepted, in order. */
  published: string[];
  /** Package names whose publish is answered with a 500, to stop a release part-way. */
  refuse: Set<string>;
  /** Serves a packed tarball (`npm pack` output) under its name and version. */
  add(tarballPath: string): Promise<{ name: string; version: string }>;
  stop(): Promise<void>;
}

interface Version {
  manifest: Record<string, unknown>;
  integrity: string;
  shasum?: string;
  tarball: () => Promise<Buffer>;
}

/** What a lockfile entry says of its package that npm needs to resolve it. */
const MANIFEST_FIELDS = [
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'engines',
  'os',
  'cpu',
  'license',
  'hasInstallScript',
] as const;

/**
 * Starts the registry with the packages of `lockfile` whose tarballs are in
 * npm's content cache `cacheDir` (`npm config get cache`); a lockfile entry
 * without a cached tarball (another platform's optional binary) is left out.
 */
export async function startNpmRegistry(options: {
  lockfile: string;
  cacheDir: string;
}): Promise<NpmRegistry> {
  const packages = new Map<string, Map<string, Version>>();
  const put = (name: string, version: string, entry: Version) => {
    const versions = packages.get(name) ?? new Map<string, Version>();
    versions.set(version, entry);
    packages.set(name, versions);
  };

  const lock = JSON.parse(await readFile(options.lockfile, 'utf8')) as {
    packages: Record<
      string,
      Record<string, unknown> & { version?: string; integrity?: string; link?: boolean }
    >;
  };
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (!key.includes('node_modules/') || entry.link || !entry.version || !entry.integrity) continue;
    const file = cachedContent(options.cacheDir, entry.integrity);
    if (!file) continue;
    const name = (entry.name as string | undefined) ?? key.slice(key.lastIndexOf('node_modules/') + 13);
    const manifest: Record<string, unknown> = { name, version: entry.version };
    for (const field of MANIFEST_FIELDS) if (entry[field] !== undefined) manifest[field] = entry[field];
    put(name, entry.version, { manifest, integrity: entry.integrity, tarball: () => readFile(file) });
  }

  const published: string[] = [];
  const refuse = new Set<string>();
  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      if (!response.headersSent) send(response, 500, { error: error.message });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://registry');
    const tarball = /^\/-\/tarball\/(.+)\/([^/]+)\.tgz$/.exec(url.pathname);
    if (request.method === 'GET' && tarball) {
      const version = packages.get(decodeURIComponent(tarball[1] as string))?.get(tarball[2] as string);
      if (!version) return send(response, 404, { error: 'not found' });
      const bytes = await version.tarball();
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      response.end(bytes);
      return;
    }
    const name = decodeURIComponent(url.pathname.slice(1));
    if (request.method === 'GET') {
      const versions = packages.get(name);
      if (!versions) return send(response, 404, { error: 'not found' });
      return send(response, 200, packument(name, versions));
    }
    if (request.method === 'PUT') return publish(name, await body(request), response);
    send(response, 405, { error: `${request.method} is not supported here` });
  }

  function packument(name: string, versions: Map<string, Version>) {
    const list = [...versions.keys()];
    const releases = list.filter((v) => !v.includes('-'));
    const latest = (releases.length ? releases : list).sort(compareVersions).at(-1);
    return {
      name,
      'dist-tags': { latest },
      versions: Object.fromEntries(
        [...versions].map(([version, entry]) => [
          version,
          {
            ...entry.manifest,
            dist: {
              tarball: `${address()}-/tarball/${encodeURIComponent(name)}/${version}.tgz`,
              integrity: entry.integrity,
              ...(entry.shasum ? { shasum: entry.shasum } : {}),
            },
          },
        ]),
      ),
    };
  }

  /** `npm publish`: one version and its tarball as a base64 attachment. */
  function publish(name: string, raw: Buffer, response: ServerResponse): void {
    if (refuse.has(name)) {
      send(response, 500, { error: `refusing ${name} (test)` });
      return;
    }
    const document = JSON.parse(raw.toString('utf8')) as {
      versions: Record<string, Record<string, unknown>>;
      _attachments: Record<string, { data: string }>;
    };
    const [version, manifest] = Object.entries(document.versions)[0] as [string, Record<string, unknown>];
    if (packages.get(name)?.has(version)) {
      send(response, 403, { error: `cannot publish over the previously published version ${version}` });
      return;
    }
    const bytes = Buffer.from((Object.values(document._attachments)[0] as { data: string }).data, 'base64');
    put(name, version, { ...digests(bytes), manifest, tarball: async () => bytes });
    published.push(`${name}@${version}`);
    send(response, 201, { ok: true });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url: address(),
    published,
    refuse,
    async add(tarballPath) {
      const bytes = await readFile(tarballPath);
      const manifest = packageJson(bytes);
      const { name, version } = manifest as { name: string; version: string };
      put(name, version, { ...digests(bytes), manifest, tarball: async () => bytes });
      return { name, version };
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The file cacache keeps for an integrity (`sha512-<base64>`), if `npm ci` cached it. */
function cachedContent(cacheDir: string, integrity: string): string | undefined {
  const [algorithm, base64] = (integrity.split(/\s+/)[0] as string).split('-', 2) as [string, string];
  const hex = Buffer.from(base64, 'base64').toString('hex');
  const file = path.join(
    cacheDir,
    '_cacache',
    'content-v2',
    algorithm,
    hex.slice(0, 2),
    hex.slice(2, 4),
    hex.slice(4),
  );
  return existsSync(file) ? file : undefined;
}

function digests(bytes: Buffer): { integrity: string; shasum: string } {
  return {
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    shasum: createHash('sha1').update(bytes).digest('hex'),
  };
}

/** `package/package.json` from a gzipped npm tarball. */
function packageJson(tgz: Buffer): Record<string, unknown> {
  const tar = gunzipSync(tgz);
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const name = tar
      .subarray(offset, offset + 100)
      .toString('utf8')
      .replace(/\0.*$/s, '');
    const size = Number.parseInt(
      tar
        .subarray(offset + 124, offset + 136)
        .toString('utf8')
        .trim() || '0',
      8,
    );
    if (name === 'package/package.json') {
      return JSON.parse(tar.subarray(offset + 512, offset + 512 + size).toString('utf8')) as Record<
        string,
        unknown
      >;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('no package/package.json in the tarball');
}

/** Orders release versions (x.y.z) numerically; enough for picking `latest`. */
function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function body(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
