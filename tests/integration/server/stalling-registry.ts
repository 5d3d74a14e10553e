import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A registry on loopback that serves a valid manifest and config for any
 * `<repo>:<tag>`, then stalls the layer blob forever after its headers and a
 * few bytes. The engine has no read timeout, so a pull of it hangs until the
 * client gives up, which is what interruption tests need. The engine keeps
 * its side of a stalled transfer open even after the client aborted, so
 * `close()` destroys every socket: a later pull of the same layer would hang.
 */
export interface StallingRegistry {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** Resolves when the engine first asks for the stalled layer. */
  layerRequested: Promise<void>;
  close(): Promise<void>;
}

const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export async function startStallingRegistry(): Promise<StallingRegistry> {
  // A fresh layer digest per registry, so the engine never joins a stalled download of another test.
  const layerDigest = sha256(randomBytes(32));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha256(randomBytes(32))] },
    }),
  );
  const configDigest = sha256(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: configDigest,
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: 10_000_000,
          digest: layerDigest,
        },
      ],
    }),
  );
  const manifestDigest = sha256(manifest);

  const sockets = new Set<Socket>();
  let onLayer: () => void = () => {};
  const layerRequested = new Promise<void>((resolve) => {
    onLayer = resolve;
  });
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/' || url === '/v2') {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Docker-Distribution-API-Version': 'registry/2.0',
      });
      res.end('{}');
    } else if (/\/manifests\//.test(url)) {
      res.writeHead(200, {
        'Content-Type': MANIFEST_TYPE,
        'Content-Length': manifest.length,
        'Docker-Content-Digest': manifestDigest,
      });
      res.end(req.method === 'HEAD' ? undefined : manifest);
    } else if (url.endsWith(`/blobs/${configDigest}`)) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': config.length });
      res.end(req.method === 'HEAD' ? undefined : config);
    } else if (url.endsWith(`/blobs/${layerDigest}`)) {
      onLayer();
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 10_000_000 });
      res.write(randomBytes(1024)); // then nothing, ever
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"errors":[{"code":"NOT_FOUND"}]}');
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('stalling registry has no port');
  return {
    host: `127.0.0.1:${address.port}`,
    layerRequested,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
