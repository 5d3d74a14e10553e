import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A Docker engine that misbehaves on demand: a unix socket in front of the
 * real engine that forwards every request, until told to
 * - wedge: take requests and never answer (except `/version` and `/_ping`,
 *   so discovery still finds a live engine), as a stuck dockerd does;
 * - die: close every connection and the socket itself, as a crashed or
 *   stopped dockerd does;
 * - garble: answer matching requests with a body that is not JSON.
 * Each can be armed to happen once a matching request has gone through, so a
 * test can let a start get as far as it likes before the engine fails.
 */
export interface EngineProxy {
  /** `unix:///tmp/.../engine.sock`: use it as DOCKER_HOST. */
  host: string;
  /** From now on, nothing but `/version` and `/_ping` is answered. */
  wedge(): void;
  /** Wedges once a request whose path matches has been answered in full. */
  wedgeAfter(path: RegExp): void;
  /** Dies once a request whose path matches starts getting its answer; resolves when it has. */
  dieWhen(path: RegExp): Promise<void>;
  /** Answers requests whose path matches with `body` (HTTP 200), without asking the engine. */
  garble(path: RegExp, body: string): void;
  /** Paths of the requests that arrived, oldest first. */
  requests: string[];
  /** The same requests as `METHOD /path` without the query or the API version prefix: what a test counts. */
  calls: string[];
  /** How many requests the wedged engine is holding unanswered. */
  held(): number;
  stop(): Promise<void>;
}

const ALWAYS_ANSWERED = /^(\/v[\d.]+)?\/(version|_ping)$/;

/** Starts a proxy on a fresh unix socket in front of the engine at `upstream` (`unix://...` or `tcp://host:port`). */
export async function startEngineProxy(upstream: string): Promise<EngineProxy> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-ep-'));
  const socketPath = path.join(dir, 'engine.sock');
  const target = upstreamTarget(upstream);
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const calls: string[] = [];
  let wedged = false;
  let held = 0;
  let wedgeAfter: RegExp | undefined;
  const garbled: Array<[RegExp, string]> = [];
  let dying: { path: RegExp; died: () => void } | undefined;

  const die = async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
    await rm(dir, { recursive: true, force: true });
    dying?.died();
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0] ?? url;
    requests.push(url);
    calls.push(`${req.method} ${pathname.replace(/^\/v[\d.]+\//, '/')}`);
    if (wedged && !ALWAYS_ANSWERED.test(pathname)) {
      held++; // held open, never answered
      return;
    }
    const garble = garbled.find(([pattern]) => pattern.test(pathname));
    if (garble) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(garble[1]);
      return;
    }
    const forwarded = httpRequest(
      { ...target, method: req.method, path: url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (dying?.path.test(pathname)) {
          answer.once('data', (chunk: Buffer) => {
            res.write(chunk);
            void die();
          });
          return;
        }
        answer.pipe(res);
        answer.on('end', () => {
          if (wedgeAfter?.test(pathname)) wedged = true;
        });
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(socketPath);
  await once(server, 'listening');
  return {
    host: `unix://${socketPath}`,
    requests,
    calls,
    held: () => held,
    wedge: () => {
      wedged = true;
    },
    wedgeAfter: (pattern) => {
      wedgeAfter = pattern;
    },
    dieWhen: (pattern) =>
      new Promise<void>((resolve) => {
        dying = { path: pattern, died: resolve };
      }),
    garble: (pattern, body) => {
      garbled.push([pattern, body]);
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      if (server.listening) {
        server.close();
        await once(server, 'close').catch(() => undefined);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function upstreamTarget(upstream: string): { socketPath: string } | { host: string; port: number } {
  if (upstream.startsWith('unix://')) return { socketPath: upstream.slice('unix://'.length) };
  const url = new URL(upstream.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375) };
}
