import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSigningCertificate } from './certificates.js';
import { harness, harnessDocker } from './context.js';
import { removeImages } from './images.js';
import { pullImage } from './pull.js';
import { pushImage } from './push.js';
import { type Registry, startRegistry } from './registry.js';
import { startTokenServer, type TokenServer } from './token-server.js';

/**
 * ghcr.io refuses a private repository at its token endpoint (401/403) rather
 * than handing out an empty token; the engine then reports `unauthorized` or
 * `denied` instead of "pull access denied". The token server reproduces both
 * forms; each needs its own registry, started here from the harness parts.
 */
describe.each([
  { denial: 'unauthorized', expected: /unauthorized/ },
  { denial: 'denied', expected: /denied/ },
] as const)('token server with denial "$denial"', ({ denial, expected }) => {
  const docker = harnessDocker();
  const pusher = { username: 'pusher', password: 'pusher-password' };
  let dir: string;
  let tokenServer: TokenServer;
  let registry: Registry;
  let ref: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-harness-denial-'));
    tokenServer = await startTokenServer({
      signing: await makeSigningCertificate(dir),
      service: 'denial-registry',
      issuer: 'denial-issuer',
      users: { [pusher.username]: pusher.password },
      repositories: { 'acme/private': { visibility: 'private' } },
      denial,
    });
    const { realm, service, issuer, rootCertBundle } = tokenServer;
    registry = await startRegistry({ auth: { realm, service, issuer, rootCertBundle } });
    ref = await pushImage(docker, harness().testImage.id, {
      registry: registry.host,
      repository: 'acme/private',
      tag: '1',
      credentials: pusher,
    });
    await removeImages(docker, [ref]);
  });

  afterAll(async () => {
    await removeImages(docker, ref ? [ref] : []);
    await registry?.stop();
    await tokenServer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an anonymous pull of a private repository in that form', async () => {
    await expect(pullImage(docker, ref)).rejects.toThrow(expected);
    const statuses = tokenServer.requests().map((request) => request.status);
    expect(statuses).toContain(denial === 'denied' ? 403 : 401);
  });
});
