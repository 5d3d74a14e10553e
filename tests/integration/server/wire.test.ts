import { mkdtemp } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { harness } from '../harness/context.js';
import { cleanupFixtures, inspect, removeServerImage, runStigmer, serverFixture } from './helpers.js';

/**
 * A unix-socket proxy in front of the engine that keeps every byte the CLI
 * sends: what an engine's debug log or a socket proxy would see.
 */
async function recordingProxy(
  engineSocket: string,
): Promise<{ host: string; sent: () => string; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-wire-'));
  const socketPath = path.join(dir, 'engine.sock');
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(engineSocket);
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => chunks.push(d));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    host: `unix://${socketPath}`,
    sent: () => Buffer.concat(chunks).toString('utf8'),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

afterEach(cleanupFixtures);
afterAll(removeServerImage);

describe('what the CLI sends to the engine', () => {
  it('puts API keys only in the create request body, never in a URL', async () => {
    const engine = harness().dockerHost;
    expect(engine.startsWith('unix://')).toBe(true);
    const proxy = await recordingProxy(engine.slice('unix://'.length));
    try {
      const f = await serverFixture();
      const result = await runStigmer(f, ['server', 'start'], { DOCKER_HOST: proxy.host });
      expect(result.exitCode).toBe(0);
      expect((await inspect(f.name))?.Config.Env).toContain(`ANTHROPIC_API_KEY=${f.canary}`);
      const wire = proxy.sent();
      const requestLines = wire.match(/^(GET|POST|PUT|DELETE|HEAD) \S+ HTTP\/1\.1$/gm) ?? [];
      expect(requestLines.some((line) => line.startsWith('POST /containers/create?name='))).toBe(true);
      for (const line of requestLines) expect(line).not.toContain(f.canary);
      // The key did travel, in the body, where it must.
      expect(wire).toContain(`"ANTHROPIC_API_KEY=${f.canary}"`);
    } finally {
      await proxy.close();
    }
  });
});
