import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';

/**
 * A loopback port that was free a moment ago. Services that cannot listen on
 * port 0 and report back (docker-registry) need one chosen in advance; the
 * small race with other processes is handled by the caller retrying.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
