import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnswer, socketGet } from './socket-get.js';

const answer = (text: string) => parseAnswer(Buffer.from(text, 'latin1'));

describe('parseAnswer', () => {
  it('reads a body by Content-Length', () => {
    expect(answer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}extra')).toEqual({
      status: 200,
      body: '{}',
    });
  });

  it('decodes a chunked body, extensions and trailers ignored', () => {
    const raw =
      'HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\n{"a\r\n4\r\n":1}\r\n0\r\n\r\n';
    expect(answer(raw)).toEqual({ status: 404, body: '{"a":1}' });
  });

  it('reads to the end without either', () => {
    expect(answer('HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it')).toEqual({
      status: 200,
      body: 'all of it',
    });
  });

  it('refuses what is cut short or not HTTP', () => {
    expect(answer('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort')).toBeUndefined();
    expect(answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab')).toBeUndefined();
    expect(answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toBeUndefined();
    expect(answer('SSH-2.0-OpenSSH\r\n\r\n')).toBeUndefined();
    expect(answer('HTTP/1.1 200 OK\r\nno colon\r\n\r\n')).toBeUndefined();
    expect(answer('HTTP/1.1 200 OK\r\n')).toBeUndefined();
  });
});

describe('socketGet', () => {
  it('sends one GET with Connection: close on the socket and reads the answer', async () => {
    const socketPath = path.join(await mkdtemp(path.join(tmpdir(), 'stigmer-sg-')), 's.sock');
    let request = '';
    const server = createServer((socket) => {
      socket.on('data', (chunk) => {
        request += chunk;
        if (request.endsWith('\r\n\r\n'))
          socket.end('HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{"Os":"linux"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      expect(await socketGet(socketPath, '/version')).toEqual({ status: 200, body: '{"Os":"linux"}' });
      expect(request).toBe('GET /version HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n');
    } finally {
      server.close();
    }
  });

  it('fails on a socket nobody listens on, on one that never answers, and when its signal aborts', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-sg-'));
    await expect(socketGet(path.join(dir, 'none.sock'), '/version')).rejects.toThrow('reach the engine');
    const socketPath = path.join(dir, 'silent.sock');
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      await expect(socketGet(socketPath, '/version', 50)).rejects.toThrow('answer within 50 ms');
      const controller = new AbortController();
      const asked = socketGet(socketPath, '/version', 60_000, controller.signal);
      controller.abort(new Error('interrupted'));
      await expect(asked).rejects.toThrow('interrupted');
    } finally {
      server.close();
    }
  });
});
