import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectDir, stigmer } from '../cli/run.js';
import { clearTokenRequests, harness, harnessDocker, tokenRequests } from '../harness/context.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import { pushImage } from '../harness/push.js';
import { type Registry, startRegistry, writeHtpasswd } from '../harness/registry.js';
import { cleanupImages, FAST_PULL, imageId, localTag, made, stigmerrc } from './helpers.js';

/**
 * stigmer's own registry requests (the `newer` check's manifest HEAD, the
 * rate-limit and platform diagnostics) authenticate as the engine's pull
 * does: a `Basic` challenge from an htpasswd-protected registry, and an
 * identity token stored by `docker login` used as an OAuth2 refresh token.
 * Each is proven against a loopback registry, with the engine's own pull
 * using the very same credentials.
 */

afterEach(cleanupImages);

const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

/** Runs stigmer in a project whose ghcr plugin points at `registry`, with `$DOCKER_CONFIG` from `dockerConfig`. */
async function run(
  registry: string,
  image: { repository: string; tag: string },
  args: string[],
  env: Record<string, string>,
  tag = localTag(),
) {
  const reference = `${registry}/${image.repository}:${image.tag}`;
  made.push(tag, reference);
  const cwd = await projectDir({ '.stigmerrc': stigmerrc(tag, { registry, ...image }, FAST_PULL) });
  return { ...(await stigmer(args, { cwd, env })), tag, reference, cwd };
}

describe('a registry behind htpasswd (Basic auth)', () => {
  const alice = { username: 'alice', password: 'alice-Pa55' };
  let dir: string;
  let registry: Registry;
  let first: string;
  let newer: string;
  const image = { repository: 'stigmer/agent-runner', tag: '1' };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'stigmer-basic-'));
    await writeHtpasswd(path.join(dir, 'htpasswd'), { [alice.username]: alice.password });
    registry = await startRegistry({ htpasswd: path.join(dir, 'htpasswd') });
    // An image of its own: a push gives an image RepoDigests, and the shared test image must keep none.
    first = await makeTestImage(`stigmer-it/basic-first:${process.pid}`, {
      labels: { 'org.stigmer.test.basic-first': String(process.pid) },
    });
    await pushImage(harnessDocker(), first, {
      registry: registry.host,
      ...image,
      credentials: alice,
    });
    newer = await makeTestImage(`stigmer-it/basic-newer:${process.pid}`, {
      labels: { 'org.stigmer.test.basic': String(process.pid) },
    });
  });

  afterAll(async () => {
    await removeImages(harnessDocker(), [
      `stigmer-it/basic-newer:${process.pid}`,
      `stigmer-it/basic-first:${process.pid}`,
      `${registry?.host}/stigmer/agent-runner:1`,
    ]);
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 401 with a Basic challenge, and refuses anonymous pulls (exit 7)', async () => {
    const challenge = await fetch(`${registry.url}/v2/`);
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const r = await run(registry.host, image, ['image', 'pull', '--quiet'], {});
    expect(r.exitCode).toBe(7);
    expect(r.stderr).toContain('no basic auth credentials');
  });

  it('the engine pulls with the docker login; `--pull newer` then asks with Basic and pulls the new digest', async () => {
    const config = path.join(dir, 'dc');
    await writeDockerConfig(config, {
      auths: { [registry.host]: { auth: basic(alice.username, alice.password) } },
    });
    const env = { DOCKER_CONFIG: config };
    const tag = localTag();
    const pulled = await run(registry.host, image, ['image', 'pull', '--quiet'], env, tag);
    expect(pulled.stderr).toBe('');
    expect(pulled.exitCode).toBe(0);
    expect(await imageId(tag)).toBe(first);
    // The tag now points at another image: only a check that really asked the registry notices.
    await pushImage(harnessDocker(), newer, { registry: registry.host, ...image, credentials: alice });
    const second = await run(
      registry.host,
      image,
      ['image', 'resolve', '--pull', 'newer', '--explain'],
      env,
      tag,
    );
    expect(second.stderr).not.toContain('could not check');
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain(`pulled ${second.reference}`);
    expect(await imageId(tag)).toBe(newer);
    // And the check after that finds it current, still with Basic.
    const third = await run(
      registry.host,
      image,
      ['image', 'resolve', '--pull', 'newer', '--explain'],
      env,
      tag,
    );
    expect(third.exitCode).toBe(0);
    expect(third.stdout).toContain(`${tag} is up to date with ${second.reference}`);
  });
});

describe('an identity token stored by `docker login` (OAuth2 refresh token)', () => {
  const PRIVATE = { repository: 'stigmer/private-runner', tag: '0.1.0' };
  let config: string;

  beforeAll(async () => {
    config = await mkdtemp(path.join(tmpdir(), 'stigmer-login-'));
    const { reader } = harness().users;
    // The real docker CLI logs in through the harness engine, as a user would.
    const login = promisify(execFile)(
      'docker',
      ['login', harness().tokenRegistry, '--username', reader.username, '--password-stdin'],
      { env: { ...process.env, DOCKER_CONFIG: config, DOCKER_HOST: harness().dockerHost } },
    );
    login.child.stdin?.end(reader.password);
    await login;
  });

  afterAll(() => rm(config, { recursive: true, force: true }));

  it('docker login stored an identity token, not the password', async () => {
    const stored = JSON.parse(await readFile(path.join(config, 'config.json'), 'utf8'));
    const entry = stored.auths[harness().tokenRegistry];
    expect(entry.identitytoken).toMatch(/^[\w-]{20,}$/);
    expect(Buffer.from(entry.auth, 'base64').toString()).toBe(`${harness().users.reader.username}:`);
  });

  it('the engine pulls with it, and `--pull newer` asks with a refresh-token grant instead of falling back', async () => {
    const env = { DOCKER_CONFIG: config };
    const tag = localTag();
    await clearTokenRequests();
    const pulled = await run(harness().tokenRegistry, PRIVATE, ['image', 'pull', '--quiet'], env, tag);
    expect(pulled.stderr).toBe('');
    expect(pulled.exitCode).toBe(0);
    expect(await imageId(tag)).toBe(harness().testImage.id);
    const byEngine = (await tokenRequests()).filter((q) => q.grantType === 'refresh_token');
    expect(byEngine.length).toBeGreaterThan(0);
    expect(byEngine.every((q) => q.status === 200 && q.clientId !== 'stigmer')).toBe(true);

    await clearTokenRequests();
    const checked = await run(
      harness().tokenRegistry,
      PRIVATE,
      ['image', 'resolve', '--pull', 'newer', '--explain'],
      env,
      tag,
    );
    expect(checked.stderr).toBe('');
    expect(checked.exitCode).toBe(0);
    expect(checked.stdout).toContain(`${tag} is up to date with ${checked.reference}`);
    expect((await tokenRequests()).map((q) => [q.method, q.grantType, q.clientId, q.status])).toEqual([
      ['POST', 'refresh_token', 'stigmer', 200],
    ]);
  });
});

async function writeDockerConfig(dir: string, config: object): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
}
