import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localImagePlugin } from '@stigmer/plugin-local-image';
import { registryPlugin } from '@stigmer/plugin-registry';
import { type RunChainOptions, runChain } from '@stigmer/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { projectDir, stigmer } from '../cli/run.js';
import { harness, harnessDocker } from '../harness/context.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import { pushImage } from '../harness/push.js';
import { type Registry, startRegistry } from '../harness/registry.js';
import { imageId, imageNames } from './helpers.js';

/**
 * Two registries of this file's own, each behind a fault proxy that records
 * every request: the mirror and the origin. The proxies tell exactly which
 * registry was contacted, and how (HEAD for a freshness check, GET for a pull).
 */
let mirror: Registry;
let origin: Registry;
let mirrorProxy: FaultProxy;
let originProxy: FaultProxy;
const ids: Record<'a' | 'b', string> = { a: '', b: '' };
const SOURCES = { a: `stigmer-it/registry-a:${process.pid}`, b: `stigmer-it/registry-b:${process.pid}` };
const REPO = 'stigmer/agent-runner';
const images = imageNames('registry');

/** Publishes image a or b as `REPO:tag` in a registry, leaving no registry-prefixed tag behind. */
async function publish(which: 'a' | 'b', registry: Registry, tag: string): Promise<void> {
  const ref = await pushImage(harnessDocker(), SOURCES[which], {
    registry: registry.host,
    repository: REPO,
    tag,
  });
  await harnessDocker().getImage(ref).remove({ noprune: true });
}

beforeAll(async () => {
  [mirror, origin] = await Promise.all([startRegistry(), startRegistry()]);
  [mirrorProxy, originProxy] = await Promise.all([
    startFaultProxy(mirror.host),
    startFaultProxy(origin.host),
  ]);
  for (const which of ['a', 'b'] as const) {
    ids[which] = await makeTestImage(SOURCES[which], { labels: { 'org.stigmer.test.registry': which } });
  }
  await publish('a', origin, '0.1.0');
  await publish('a', mirror, '0.1.0');
  await publish('a', origin, 'origin-only');
});

afterAll(async () => {
  await Promise.all([mirrorProxy?.stop(), originProxy?.stop()]);
  await Promise.all([mirror?.stop(), origin?.stop()]);
  await removeImages(harnessDocker(), Object.values(SOURCES));
});

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'stigmer-registry-data-'));
  mirrorProxy.clear();
  originProxy.clear();
  mirrorProxy.requests.length = 0;
  originProxy.requests.length = 0;
});

/** The canonical name is the origin proxy's; a rule sends it to the mirror proxy first. */
function registryOptions(tag: string, extra: Record<string, unknown> = {}) {
  return {
    image: `${originProxy.host}/${REPO}`,
    tag,
    mirrors: [{ match: `${originProxy.host}/stigmer/*`, rewrite: `${mirrorProxy.host}/stigmer/*` }],
    ...extra,
  };
}

function run(localTag: string, tag: string, extra: Partial<RunChainOptions> = {}, options = {}) {
  images.track(`${mirrorProxy.host}/${REPO}:${tag}`, `${originProxy.host}/${REPO}:${tag}`);
  return runChain({
    plugins: [[registryPlugin(), registryOptions(tag, options)]],
    request: { localTag },
    dataDir,
    ...extra,
  });
}

/**
 * Pulls the engine made through a proxy. The engine opens every pull with
 * `GET /v2/` (and then may only HEAD the manifest when it has the layers);
 * stigmer's freshness check sends a lone manifest HEAD.
 */
const pulls = (proxy: FaultProxy) =>
  proxy.requests.filter((r) => r.method === 'GET' && r.path === '/v2/').length;

describe('mirrors with rewrite rules', () => {
  it('pulls from the first mirror and tags the canonical local name; the origin is never contacted', async () => {
    const localTag = images.name();
    const result = await run(localTag, '0.1.0');
    expect(result.error).toBeUndefined();
    expect(result.image).toMatchObject({
      reference: localTag,
      id: ids.a,
      source: `mirror ${mirrorProxy.host}/${REPO}:0.1.0 (of ${originProxy.host}/${REPO}:0.1.0)`,
    });
    expect(await imageId(localTag)).toBe(ids.a);
    expect(pulls(mirrorProxy)).toBeGreaterThan(0);
    expect(originProxy.requests).toEqual([]);
  });

  it('leaves a mirror that answers 429, pulls from the origin, and skips the mirror while it cools down', async () => {
    mirrorProxy.add({ target: 'manifest', fault: { kind: 'status', status: 429 } });
    const localTag = images.name();
    const first = await run(localTag, '0.1.0');
    expect(first.error).toBeUndefined();
    expect(first.image?.source).toBe(`registry ${originProxy.host}/${REPO}:0.1.0`);
    const entry = first.trace.find((e) => e.plugin === 'stigmer:registry' && e.hook === 'resolveImage');
    expect(entry?.reason).toBe(
      `pulled ${originProxy.host}/${REPO}:0.1.0 after leaving 1 registry; tagged ${localTag}`,
    );
    expect(entry?.messages.map((m) => m.message)).toEqual([
      `pulling ${originProxy.host}/${REPO}:0.1.0: ${localTag} is not in the local engine`,
      expect.stringMatching(
        new RegExp(
          `^left ${mirrorProxy.host}/${REPO}:0\\.1\\.0: rate limited: .*toomanyrequests.*; cooling down for 10m$`,
        ),
      ),
    ]);
    const coolDowns = JSON.parse(await readFile(path.join(dataDir, 'registry-cool-downs.json'), 'utf8'));
    expect(Object.keys(coolDowns)).toEqual([mirrorProxy.host]);

    // The next run goes straight to the origin: the mirror sees nothing.
    mirrorProxy.requests.length = 0;
    const second = await run(images.name(), '0.1.0');
    expect(second.error).toBeUndefined();
    expect(mirrorProxy.requests).toEqual([]);
    const messages = second.trace.find((e) => e.plugin === 'stigmer:registry')?.messages ?? [];
    expect(messages[1]?.message).toMatch(
      new RegExp(`^left ${mirrorProxy.host}/${REPO}:0\\.1\\.0: cooling down until \\S+ \\(rate limited`),
    );
  });

  it('moves on from a mirror that lacks the tag without cooling it down', async () => {
    const localTag = images.name();
    const result = await run(localTag, 'origin-only');
    expect(result.image?.source).toBe(`registry ${originProxy.host}/${REPO}:origin-only`);
    const messages = result.trace.find((e) => e.plugin === 'stigmer:registry')?.messages ?? [];
    expect(messages[1]?.message).toMatch(
      new RegExp(`^left ${mirrorProxy.host}/${REPO}:origin-only: not found`),
    );
    expect(await readFile(path.join(dataDir, 'registry-cool-downs.json'), 'utf8').catch(() => 'none')).toBe(
      'none',
    );
  });

  it('passes to the next plugin when no registry has the tag', async () => {
    const result = await run(images.name(), 'nowhere');
    expect(result.error?.code).toBe('IMAGE_UNRESOLVED');
    expect(result.trace[0]).toMatchObject({
      plugin: 'stigmer:registry',
      outcome: 'passed',
      reason: `no registry had ${originProxy.host}/${REPO}:nowhere`,
    });
  });

  it('ends the run with every registry tried when the last one fails for another reason', async () => {
    mirrorProxy.add({ target: 'manifest', fault: { kind: 'status', status: 429 } });
    originProxy.add({ target: 'manifest', fault: { kind: 'status', status: 500 } });
    const result = await run(images.name(), '0.1.0', {
      request: { localTag: images.name(), pull: { retries: 0, retryDelayMs: 10, stallTimeoutMs: 0 } },
    });
    expect(result.error?.code).toBe('PULL_TRANSIENT');
    expect(result.error?.message.split('\n').slice(0, 3)).toEqual([
      `Could not pull ${originProxy.host}/${REPO}:0.1.0 from any registry. Tried, in order:`,
      expect.stringMatching(new RegExp(`^  - ${mirrorProxy.host}/${REPO}:0\\.1\\.0: rate limited`)),
      expect.stringMatching(new RegExp(`^  - ${originProxy.host}/${REPO}:0\\.1\\.0: failed`)),
    ]);
  });
});

describe('per-registry credentials', () => {
  it("the origin's credentials come from the shared providers (DOCKER_AUTH_CONFIG) after the mirror was left", async () => {
    const { tokenRegistry, users, dockerHost, testImage } = harness();
    const localTag = images.name();
    const privateName = `${tokenRegistry}/stigmer/private-runner`;
    images.track(`${privateName}:0.1.0`);
    mirrorProxy.add({ target: 'manifest', fault: { kind: 'status', status: 429 } });
    const basic = Buffer.from(`${users.reader.username}:${users.reader.password}`).toString('base64');
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dataDir,
      DOCKER_HOST: dockerHost,
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [tokenRegistry]: { auth: basic } } }),
    };
    const options = {
      image: privateName,
      tag: '0.1.0',
      mirrors: [{ match: `${tokenRegistry}/stigmer/*`, rewrite: `${mirrorProxy.host}/stigmer/*` }],
    };
    const result = await runChain({
      plugins: [[registryPlugin(), options]],
      request: { localTag },
      dataDir,
      env,
    });
    expect(result.error).toBeUndefined();
    expect(result.image).toMatchObject({ id: testImage.id, source: `registry ${privateName}:0.1.0` });
    const answered = result.trace.filter((e) => e.hook === 'credentials' && e.outcome === 'resolved');
    expect(answered.map((e) => e.reason)).toContainEqual(expect.stringMatching(/DOCKER_AUTH_CONFIG/));
    expect(JSON.stringify(result.trace)).not.toContain(users.reader.password);

    // Without them the private image is refused, and the message says which registries were tried.
    const anonymous = await runChain({
      plugins: [[registryPlugin(), options]],
      request: { localTag: images.name(), pull: { retries: 0, retryDelayMs: 10, stallTimeoutMs: 0 } },
      dataDir: await mkdtemp(path.join(tmpdir(), 'stigmer-registry-data-')),
      env: { ...env, DOCKER_AUTH_CONFIG: '{}' },
    });
    expect(anonymous.error?.code).toBe('PULL_UNAUTHORIZED');
    expect(anonymous.error?.message).toContain(`  - ${privateName}:0.1.0: credentials refused`);
  });
});

describe('pull policies', () => {
  const originOnly = { mirrors: [] };

  it('newer: pulls only when the registry has another digest under the same tag (manifest HEAD)', async () => {
    const tag = `newer-${process.pid}`;
    const localTag = images.name();
    await publish('a', origin, tag);
    const policy = { request: { localTag, pullPolicy: 'newer' as const } };
    const first = await run(localTag, tag, policy, originOnly);
    expect(first.image?.id).toBe(ids.a);

    originProxy.requests.length = 0;
    const same = await run(localTag, tag, policy, originOnly);
    expect(same.image).toMatchObject({ id: ids.a, source: 'local engine (up to date with the registry)' });
    expect(originProxy.requests.map((r) => r.method)).toContain('HEAD');
    expect(pulls(originProxy)).toBe(0);

    await publish('b', origin, tag);
    const changed = await run(localTag, tag, policy, originOnly);
    expect(changed.image?.id).toBe(ids.b);
    expect(changed.trace[0]?.messages[0]?.message).toMatch(/: pulling the newer one$/);
    expect(await imageId(localTag)).toBe(ids.b);
  });

  it('an interval checks at most that often, from its own record of the last check', async () => {
    const tag = `interval-${process.pid}`;
    const localTag = images.name();
    await publish('a', origin, tag);
    const hourly = { request: { localTag, pullPolicy: 'newer' as const, pullInterval: 3_600_000 } };
    const first = await run(localTag, tag, hourly, originOnly);
    expect(first.image?.id).toBe(ids.a);
    // The pull counts as a check: recorded with the digest it pulled.
    const record = JSON.parse(await readFile(path.join(dataDir, 'pull-checks.json'), 'utf8'));
    expect(record[localTag]).toEqual({
      reference: `${originProxy.host}/${REPO}:${tag}`,
      digest: first.image?.digest?.split('@')[1],
      checkedAt: expect.any(String),
    });

    await publish('b', origin, tag);
    originProxy.requests.length = 0;
    const within = await run(localTag, tag, hourly, originOnly);
    expect(within.image?.id).toBe(ids.a);
    expect(within.trace[0]?.reason).toMatch(/^checked \S+ \d+(\.\d+)?m?s ago, within the 60m interval$/);
    expect(originProxy.requests).toEqual([]);

    const always = await run(localTag, tag, { request: { localTag, pullPolicy: 'newer' } }, originOnly);
    expect(always.image?.id).toBe(ids.b);
  });

  it('never and offline: no registry is contacted', async () => {
    for (const request of [{ pullPolicy: 'never' as const }, { offline: true }]) {
      const result = await run(images.name(), '0.1.0', { request: { localTag: images.name(), ...request } });
      expect(result.error?.code).toBe('IMAGE_UNRESOLVED');
    }
    expect(mirrorProxy.requests).toEqual([]);
    expect(originProxy.requests).toEqual([]);
  });

  it('always: pulls even when the local image is there', async () => {
    const localTag = images.name();
    await run(localTag, '0.1.0');
    mirrorProxy.requests.length = 0;
    const again = await runChain({
      plugins: [localImagePlugin(), [registryPlugin(), registryOptions('0.1.0')]],
      request: { localTag, pullPolicy: 'always' },
      dataDir,
    });
    const decisions = again.trace.filter((e) => e.hook === 'resolveImage');
    expect(decisions.map((e) => [e.plugin, e.outcome])).toEqual([
      ['stigmer:local-image', 'passed'],
      ['stigmer:registry', 'resolved'],
    ]);
    expect(pulls(mirrorProxy)).toBeGreaterThan(0);
  });
});

describe('through the CLI', () => {
  it('--explain shows each mirror tried and why it was left; --pull never contacts none', async () => {
    mirrorProxy.add({ target: 'manifest', fault: { kind: 'status', status: 429 } });
    const localTag = images.name();
    images.track(`${originProxy.host}/${REPO}:0.1.0`);
    const cwd = await projectDir({
      '.stigmerrc': JSON.stringify({
        image: { localTag },
        plugins: ['local-image', ['registry', registryOptions('0.1.0')], 'build-hint'],
        server: { dataDir: path.join(dataDir, 'cli') },
      }),
    });
    const result = await stigmer(['image', 'resolve', '--explain'], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/stigmer:registry\s+resolved\s+\S+\s+pulled \S+ after leaving 1 registry/);
    expect(result.stdout).toMatch(
      new RegExp(
        `\\n\\s+info: left ${mirrorProxy.host}/${REPO}:0\\.1\\.0: rate limited.*; cooling down for 10m\\n`,
      ),
    );

    mirrorProxy.requests.length = 0;
    originProxy.requests.length = 0;
    await removeImages(harnessDocker(), [localTag]);
    const never = await stigmer(['image', 'resolve', '--pull', 'never'], { cwd });
    expect(never.exitCode).toBe(3);
    expect(never.stderr).toContain(
      `stigmer:registry: not pulling ${originProxy.host}/${REPO}:0.1.0: pull policy is never`,
    );
    expect([...mirrorProxy.requests, ...originProxy.requests]).toEqual([]);
  });
});
