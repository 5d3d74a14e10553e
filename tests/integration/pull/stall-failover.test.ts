import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectDir, STIGMER_BIN, stigmer } from '../cli/run.js';
import { harness, harnessDocker } from '../harness/context.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import { pushMultiArch } from '../harness/multi-arch.js';
import { spawnCollect } from '../harness/process.js';
import { pushImage } from '../harness/push.js';
import {
  FAST_PULL,
  imageId,
  localTag,
  made,
  publishFreshImage,
  stigmerrc,
  useFaultProxy,
} from './helpers.js';

/**
 * A stall on one source must not stall the next. After a client gives up on
 * a stalled pull, the engine keeps the hung transfer, and its next pull of the
 * same layers (from another registry, or a retry) waits on it. stigmer then
 * fetches the image itself and hands it to the engine. Each test keeps the
 * engine's stalled connection open until it has its answer (the proxy counts
 * it), so a pull that waited on it could not succeed.
 *
 * The proxy's `silent` fault takes a blob request and answers nothing, not
 * even headers, as a pull-through cache waiting on its upstream does: that is
 * what wedges the engine (a registry that sends headers and then stalls is
 * abandoned cleanly by the engine once the client leaves).
 */

const fixture = useFaultProxy();
const extraProxies: FaultProxy[] = [];
afterEach(async () => {
  for (const proxy of extraProxies.splice(0)) {
    proxy.closeStalled();
    await proxy.stop();
  }
});

/** The data folder's leftover download folders (must be none after any pull). */
async function leftoverDownloads(dataDir: string): Promise<string[]> {
  return readdir(path.join(dataDir, 'downloads')).catch(() => []);
}

/** A project with its own data folder; `config` is the .stigmerrc's JSON. */
async function project(config: Record<string, unknown>) {
  const cwd = await projectDir();
  const dataDir = path.join(cwd, 'data');
  const file = { ...config, server: { dataDir } };
  await writeFile(path.join(cwd, '.stigmerrc'), JSON.stringify(file));
  return { cwd, dataDir };
}

/**
 * A project whose ghcr plugin pulls `repository:tag` from `registry` (a
 * proxy) into a fresh local tag, with the quick test pull settings; both
 * names are removed after the test.
 */
async function ghcrProject(registry: string, repository: string, tag: string) {
  const local = localTag();
  const reference = `${registry}/${repository}:${tag}`;
  made.push(local, reference);
  const config = JSON.parse(stigmerrc(local, { registry, repository, tag }, FAST_PULL));
  return { local, reference, ...(await project(config)) };
}

/** The registry's manifest digest for `repository:tag` (what a pull records). */
async function registryDigest(registry: string, repository: string, tag: string): Promise<string> {
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      accept: [
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.docker.distribution.manifest.v2+json',
      ].join(', '),
    },
  });
  return response.headers.get('docker-content-digest') ?? 'none';
}

describe('a mirror that goes silent on blobs, and a healthy origin (the issue)', () => {
  it('the image arrives from the origin after one stall timeout, while the engine still holds the stalled transfer', async () => {
    const origin = harness().openRegistry;
    const tag = `failover-${process.pid}`;
    const id = await publishFreshImage(origin, 'stigmer/fresh', tag);
    fixture.proxy.add({ target: 'blob', fault: { kind: 'silent' } });
    const local = localTag();
    made.push(local, `${origin}/stigmer/fresh:${tag}`, `${fixture.proxy.host}/stigmer/fresh:${tag}`);
    const { cwd, dataDir } = await project({
      image: { localTag: local },
      pull: { stallTimeout: '5s' },
      plugins: [
        'local-image',
        [
          'registry',
          {
            image: `${origin}/stigmer/fresh`,
            tag,
            mirrors: [{ match: `${origin}/stigmer/*`, rewrite: `${fixture.proxy.host}/stigmer/*` }],
          },
        ],
        'build-hint',
      ],
    });
    const r = await stigmer(['image', 'pull', '--explain'], { cwd });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      `${local} (${id.slice(0, 19)}, linux/amd64) from registry ${origin}/stigmer/fresh:${tag}`,
    );
    expect(r.stdout).toContain(
      `info: left ${fixture.proxy.host}/stigmer/fresh:${tag}: stalled: no progress for 5s; cooling down for 10m`,
    );
    expect(r.stdout).toContain(
      `info: the engine keeps the stalled download of ${fixture.proxy.host}/stigmer/fresh:${tag}; stigmer fetches the image itself from now on`,
    );
    // The engine's transfer from the mirror still hangs: the origin's image did not wait for it.
    expect(fixture.proxy.stalledCount()).toBeGreaterThan(0);
    expect(await imageId(local)).toBe(id);
    expect(await imageId(`${origin}/stigmer/fresh:${tag}`)).toBe(id);
    expect(await leftoverDownloads(dataDir)).toEqual([]);
  });
});

describe('a single registry that stalls once, then recovers', () => {
  it('the retry fetches the image itself; the digest is recorded, so `newer` finds it current', async () => {
    const tag = `stall-once-${process.pid}`;
    const id = await publishFreshImage(harness().openRegistry, 'stigmer/fresh', tag);
    fixture.proxy.add({ target: 'blob', fault: { kind: 'silent' }, times: 1 });
    const { local, reference, cwd, dataDir } = await ghcrProject(fixture.proxy.host, 'stigmer/fresh', tag);
    // What a pull killed with SIGKILL would leave: the next pull clears it.
    await mkdir(path.join(dataDir, 'downloads', 'pull-999999999-dead'), { recursive: true });
    const r = await stigmer(['image', 'pull', '--json'], { cwd });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    const digest = await registryDigest(harness().openRegistry, 'stigmer/fresh', tag);
    expect(doc.image).toMatchObject({
      reference: local,
      id,
      digest: `${fixture.proxy.host}/stigmer/fresh@${digest}`,
    });
    const events = r.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const retry = events.findIndex((e) => e.event === 'pull-retry');
    expect(events[retry]).toMatchObject({ attempt: 1, reason: 'stalled: no progress for 2s' });
    // Layer progress of stigmer's own fetch, as the engine reports it, to the end.
    expect(events.at(-1)).toMatchObject({ event: 'pull-done', reference, layers: 2, layersDone: 2, digest });
    expect(events.at(-1).bytes).toBeGreaterThan(2_500_000);
    expect(fixture.proxy.stalledCount()).toBe(1);
    expect(await imageId(local)).toBe(id);
    expect(await leftoverDownloads(dataDir)).toEqual([]);

    const checked = await stigmer(['image', 'resolve', '--pull', 'newer', '--explain'], { cwd });
    expect(checked.exitCode).toBe(0);
    expect(checked.stdout).toContain(`${local} is up to date with ${reference} (${digest.slice(0, 19)})`);
  });

  it('keeps credentials and the token flow: a private repository behind the token registry', async () => {
    const proxy = await startFaultProxy(harness().tokenRegistry);
    extraProxies.push(proxy);
    proxy.add({ target: 'blob', fault: { kind: 'silent' }, times: 1 });
    const { reader, pusher } = harness().users;
    // A private image the engine has never seen, so its blobs really transfer.
    const tag = `private-${process.pid}`;
    const built = `stigmer-it/fresh-private-${process.pid}:${tag}`;
    const id = await makeTestImage(built, { layers: 2, sizeBytes: 4 * 1024 * 1024 });
    const pushed = await pushImage(harnessDocker(), id, {
      registry: harness().tokenRegistry,
      repository: 'stigmer/private-runner',
      tag,
      credentials: pusher,
    });
    await removeImages(harnessDocker(), [pushed, built, id]);
    const { local, cwd } = await ghcrProject(proxy.host, 'stigmer/private-runner', tag);
    const auth = Buffer.from(`${reader.username}:${reader.password}`).toString('base64');
    await mkdir(path.join(cwd, 'dc'));
    await writeFile(path.join(cwd, 'dc/config.json'), JSON.stringify({ auths: { [proxy.host]: { auth } } }));
    const r = await stigmer(['image', 'pull', '--quiet', '--explain'], {
      cwd,
      env: { DOCKER_CONFIG: path.join(cwd, 'dc') },
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('fetched by stigmer itself after the engine stalled');
    expect(r.stdout).toContain(`credentials from ${path.join(cwd, 'dc/config.json')} auths["${proxy.host}"]`);
    expect(await imageId(local)).toBe(id);
    // stigmer's own requests got through the token flow: the blob requests it made were answered.
    expect(
      proxy.requests.filter((q) => q.path.includes('/blobs/') && q.outcome === 'forwarded').length,
    ).toBeGreaterThan(0);
  });

  it('picks the platform from the index: linux/arm64 of a manifest list', async () => {
    const source = `multi-src-${process.pid}`;
    const tag = `multi-${process.pid}`;
    await publishFreshImage(harness().openRegistry, 'stigmer/fresh', source);
    const digests = await pushMultiArch(harness().openRegistry, 'stigmer/fresh', source, tag);
    fixture.proxy.add({ target: 'blob', fault: { kind: 'silent' }, times: 1 });
    const { local, cwd } = await ghcrProject(fixture.proxy.host, 'stigmer/fresh', tag);
    const r = await stigmer(['image', 'pull', '--quiet', '--json', '--platform', 'linux/arm64'], { cwd });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).image).toMatchObject({
      platform: 'linux/arm64',
      digest: `${fixture.proxy.host}/stigmer/fresh@${digests.list}`,
    });
    expect((await harnessDocker().getImage(local).inspect()).Architecture).toBe('arm64');
  });
});

describe('what stigmer fetches itself is checked', () => {
  it('a blob whose bytes are not its digest: exit 5 naming it, nothing loaded or tagged', async () => {
    const tag = `corrupt-${process.pid}`;
    const id = await publishFreshImage(harness().openRegistry, 'stigmer/fresh', tag);
    // The engine's two blob requests (config, new layer) go unanswered; stigmer's copy of a layer is damaged.
    fixture.proxy.add({ target: 'blob', fault: { kind: 'silent' }, times: 2 });
    fixture.proxy.add({
      target: 'blob',
      fault: { kind: 'corrupt', atByte: 1000 },
      minBytes: 1_000_000,
      times: 1,
    });
    const { local, cwd, dataDir } = await ghcrProject(fixture.proxy.host, 'stigmer/fresh', tag);
    const r = await stigmer(['image', 'pull', '--quiet'], { cwd });
    expect(r.exitCode).toBe(5);
    // The pull's own message first; the build hint follows, as after any failed pull.
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^Pulling \S+ failed \(tried anonymously\)\.$/),
      expect.stringMatching(
        /^Engine said: the registry sent sha256:[0-9a-f]{64} with SHA-256 sha256:[0-9a-f]{64}: damaged in transit or by the registry$/,
      ),
    ]);
    expect(fixture.proxy.requests.some((q) => q.outcome.startsWith('corrupt'))).toBe(true);
    expect(await imageId(local)).toBeUndefined();
    expect(await imageId(id)).toBeUndefined();
    expect(await leftoverDownloads(dataDir)).toEqual([]);
  });

  it('a registry that stays silent: exit 11 after the retries, no tag, no image, no leftover download', async () => {
    const tag = `silent-${process.pid}`;
    const id = await publishFreshImage(harness().openRegistry, 'stigmer/fresh', tag);
    fixture.proxy.add({ target: 'blob', fault: { kind: 'silent' } });
    const { local, cwd, dataDir } = await ghcrProject(fixture.proxy.host, 'stigmer/fresh', tag);
    const r = await stigmer(['image', 'pull', '--quiet'], { cwd });
    expect(r.exitCode).toBe(11);
    expect(r.stderr.split('\n')[0]).toBe(
      `Pulling ${fixture.proxy.host}/stigmer/fresh:${tag} stalled: no progress for 2s, 2 times; stigmer closed the pull each time.`,
    );
    expect(await imageId(local)).toBeUndefined();
    expect(await imageId(id)).toBeUndefined();
    expect(await leftoverDownloads(dataDir)).toEqual([]);
  });

  it("Ctrl-C during stigmer's own fetch: exit 130, no tag, nothing loaded, no leftover download", async () => {
    const tag = `interrupt-${process.pid}`;
    const id = await publishFreshImage(harness().openRegistry, 'stigmer/fresh', tag);
    // The engine's request goes unanswered; stigmer's own fetch then crawls, so Ctrl-C lands in it.
    fixture.proxy.add({ target: 'blob', fault: { kind: 'silent' }, times: 2 });
    fixture.proxy.add({
      target: 'blob',
      fault: { kind: 'slow', bytesPerSecond: 200_000 },
      minBytes: 1_000_000,
    });
    const { local, cwd, dataDir } = await ghcrProject(fixture.proxy.host, 'stigmer/fresh', tag);
    const run = spawnCollect(process.execPath, [STIGMER_BIN, 'image', 'pull'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, DOCKER_HOST: harness().dockerHost },
    });
    let stderr = '';
    run.child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
    });
    const slow = () => fixture.proxy.requests.some((q) => q.outcome.startsWith('slow'));
    const deadline = Date.now() + 30_000;
    while (!slow() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(slow()).toBe(true);
    expect(await leftoverDownloads(dataDir)).toHaveLength(1);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.exitCode).toBe(130);
    expect(stderr).toContain('Interrupted by SIGINT.');
    expect(await imageId(local)).toBeUndefined();
    expect(await imageId(id)).toBeUndefined();
    expect(await leftoverDownloads(dataDir)).toEqual([]);
  });
});
