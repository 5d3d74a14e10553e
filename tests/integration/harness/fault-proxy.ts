import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP proxy in front of a loopback registry that misbehaves on demand,
 * the way real networks and registries do: 429 with `Retry-After`, 5xx,
 * connections reset before an answer, requests never answered, blobs cut
 * mid-transfer, blobs that stall after their headers or first bytes, and
 * blobs served damaged. The engine sees the proxy as the registry
 * (`127.0.0.1:<port>` is an insecure registry for it, like any loopback one).
 *
 * Stalled connections stay open until `closeStalled()`, `stop()` or the
 * fault's `holdMs`: the engine has no read timeout, so a test that left one
 * open would wedge every later pull of the same layers.
 */

/** Which requests a fault applies to. */
export type FaultTarget = 'manifest' | 'blob';

export type Fault =
  /** Answer with this status (and `Retry-After` when given) instead of forwarding. */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Close the connection without any answer. */
  | { kind: 'reset' }
  /**
   * Take the request and answer nothing, not even headers, until
   * `closeStalled()` (a pull-through cache waiting on its upstream). The
   * engine has no timeout for this either, and a client that gives up does
   * not end the engine's wait: later pulls of the same blob wait behind it.
   */
  | { kind: 'silent' }
  /** Forward the headers and `afterBytes` of the body, then close the connection. */
  | { kind: 'cut'; afterBytes: number }
  /** Forward the headers and `afterBytes` of the body, then send nothing more. */
  | { kind: 'stall'; afterBytes: number; holdMs?: number }
  /** Forward the body at about this many bytes per second (a slow link). */
  | { kind: 'slow'; bytesPerSecond: number }
  /** Forward the whole body with the byte at `atByte` flipped (a registry or cache serving damaged data). */
  | { kind: 'corrupt'; atByte: number };

export interface FaultRule {
  target: FaultTarget;
  fault: Fault;
  /** How many matching requests get the fault; default every one. */
  times?: number;
  /** Only responses at least this large (cut, stall and corrupt); skips config blobs. */
  minBytes?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The fault applied, or `forwarded`. */
  outcome: string;
}

export interface FaultProxy {
  /** `127.0.0.1:<port>`: use it as the registry in references. */
  host: string;
  add(rule: FaultRule): void;
  /** Removes every rule (open connections are left as they are). */
  clear(): void;
  /** What the proxy saw, oldest first. */
  requests: ProxiedRequest[];
  /** Closes every stalled connection, so the engine's transfers end. */
  closeStalled(): void;
  /** How many stalled connections are still open (the client has not closed them). */
  stalledCount(): number;
  stop(): Promise<void>;
}

/** The error a registry (the distribution spec) sends with each status, as ghcr.io words it. */
function registryError(status: number): { code: string; message: string } {
  if (status === 429) return { code: 'TOOMANYREQUESTS', message: 'rate limit exceeded (fault proxy)' };
  if (status === 401) return { code: 'UNAUTHORIZED', message: 'authentication required (fault proxy)' };
  if (status === 403)
    return { code: 'DENIED', message: 'requested access to the resource is denied (fault proxy)' };
  return { code: 'UNKNOWN', message: 'fault proxy error' };
}

function targetOf(path: string): FaultTarget | undefined {
  if (/^\/v2\/.+\/manifests\//.test(path)) return 'manifest';
  if (/^\/v2\/.+\/blobs\/sha256:/.test(path)) return 'blob';
  return undefined;
}

/** Starts a proxy on a free loopback port in front of `upstream` (`127.0.0.1:<port>`). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const [upstreamHost, upstreamPort] = upstream.split(':') as [string, string];
  const rules: Array<FaultRule & { used: number }> = [];
  const requests: ProxiedRequest[] = [];
  const stalled = new Set<Socket>();
  const sockets = new Set<Socket>();

  const take = (target: FaultTarget | undefined, phase: 'request' | 'response', size?: number) => {
    if (!target) return undefined;
    const rule = rules.find(
      (r) =>
        r.target === target &&
        (r.times === undefined || r.used < r.times) &&
        (phase === 'request') ===
          (r.fault.kind === 'status' || r.fault.kind === 'reset' || r.fault.kind === 'silent') &&
        (phase === 'request' || size === undefined || size >= (r.minBytes ?? 0)),
    );
    if (rule) rule.used++;
    return rule;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const target = targetOf(path);
    const record: ProxiedRequest = { method: req.method ?? 'GET', path, outcome: 'forwarded' };
    requests.push(record);
    const early = take(target, 'request');
    if (early?.fault.kind === 'status') {
      record.outcome = `status ${early.fault.status}`;
      const body = JSON.stringify({ errors: [registryError(early.fault.status)] });
      res.writeHead(early.fault.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...(early.fault.retryAfter ? { 'retry-after': early.fault.retryAfter } : {}),
      });
      res.end(body);
      return;
    }
    if (early?.fault.kind === 'reset') {
      record.outcome = 'reset';
      req.socket.destroy();
      return;
    }
    if (early?.fault.kind === 'silent') {
      record.outcome = 'silent';
      stalled.add(req.socket);
      return;
    }
    const upstreamReq = httpRequest(
      { host: upstreamHost, port: Number(upstreamPort), method: req.method, path, headers: req.headers },
      (upstreamRes) => {
        const size = Number(upstreamRes.headers['content-length'] ?? Number.NaN);
        const late =
          req.method === 'GET' ? take(target, 'response', Number.isNaN(size) ? undefined : size) : undefined;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        if (late?.fault.kind === 'slow') {
          const { bytesPerSecond } = late.fault;
          record.outcome = `slow at ${bytesPerSecond} B/s`;
          upstreamRes.on('data', (chunk: Buffer) => {
            upstreamRes.pause();
            res.write(chunk);
            setTimeout(() => upstreamRes.resume(), (chunk.length / bytesPerSecond) * 1000);
          });
          upstreamRes.on('end', () => res.end());
          return;
        }
        if (late?.fault.kind === 'corrupt') {
          const { atByte } = late.fault;
          record.outcome = `corrupt at byte ${atByte}`;
          let seen = 0;
          upstreamRes.on('data', (chunk: Buffer) => {
            if (atByte >= seen && atByte < seen + chunk.length) {
              const copy = Buffer.from(chunk);
              copy[atByte - seen] = (copy[atByte - seen] ?? 0) ^ 0xff;
              res.write(copy);
            } else res.write(chunk);
            seen += chunk.length;
          });
          upstreamRes.on('end', () => res.end());
          return;
        }
        if (!late || (late.fault.kind !== 'cut' && late.fault.kind !== 'stall')) {
          upstreamRes.pipe(res);
          return;
        }
        const fault = late.fault;
        record.outcome = `${fault.kind} after ${fault.afterBytes} bytes`;
        // The headers go out even when no byte of the body will: the client sees an answer, then silence.
        res.flushHeaders();
        let sent = 0;
        upstreamRes.on('data', (chunk: Buffer) => {
          if (sent >= fault.afterBytes) return;
          const part = chunk.subarray(0, fault.afterBytes - sent);
          sent += part.length;
          res.write(part);
          if (sent < fault.afterBytes) return;
          upstreamRes.destroy();
          if (fault.kind === 'cut') {
            // Let the bytes leave before the connection goes.
            setTimeout(() => req.socket.destroy(), 20);
          } else {
            stalled.add(req.socket);
            if (fault.holdMs !== undefined) {
              setTimeout(() => {
                stalled.delete(req.socket);
                req.socket.destroy();
              }, fault.holdMs).unref();
            }
          }
        });
      },
    );
    upstreamReq.on('error', () => req.socket.destroy());
    req.pipe(upstreamReq);
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      stalled.delete(socket);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    requests,
    add: (rule) => {
      rules.push({ ...rule, used: 0 });
    },
    clear: () => {
      rules.length = 0;
    },
    closeStalled: () => {
      for (const socket of stalled) socket.destroy();
      stalled.clear();
    },
    stalledCount: () => stalled.size,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
