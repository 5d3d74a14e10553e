import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harnessDocker } from '../harness/context.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import { pushImage } from '../harness/push.js';
import { type Registry, startRegistry } from '../harness/registry.js';
import {
  cleanupFixtures,
  inspect,
  runStigmer,
  type ServerFixture,
  serverFixture,
} from '../server/helpers.js';
import { imageId } from './helpers.js';

/**
 * Offline mode end to end: an image only this file's registry has is
 * exported on the "connected machine", the registry is stopped and the image
 * removed from the engine, then every offline run must work from the archive
 * folder alone. With the only registry the config names stopped, any attempt
 * to reach the network would fail these tests.
 */
let registry: Registry;
/** In front of the registry, recording every request: offline runs must make none. */
let proxy: FaultProxy;
let sourceId: string;
let fixture: ServerFixture;
const SOURCE = `stigmer-it/offline-source:${process.pid}`;
let pulledRef: string;

beforeAll(async () => {
  registry = await startRegistry();
  // An image of its own (its label makes a new id), so removing it really empties the engine of it.
  sourceId = await makeTestImage(SOURCE, {
    labels: { 'org.opencontainers.image.version': '0.1.0', 'org.stigmer.test.offline': String(process.pid) },
  });
  proxy = await startFaultProxy(registry.host);
  pulledRef = `${proxy.host}/stigmer/agent-runner:0.1.0`;
  await pushImage(harnessDocker(), SOURCE, {
    registry: registry.host,
    repository: 'stigmer/agent-runner',
    tag: '0.1.0',
  });
  await removeImages(harnessDocker(), [SOURCE, `${registry.host}/stigmer/agent-runner:0.1.0`]);
  expect(await imageId(sourceId)).toBeUndefined();
  fixture = await serverFixture({
    localImage: false,
    ghcr: { registry: proxy.host, tag: '0.1.0' },
    extraPlugins: [['offline', { archives: './images' }]],
  });
});

afterAll(async () => {
  await cleanupFixtures();
  await removeImages(harnessDocker(), [pulledRef, sourceId]);
  await proxy?.stop();
  await registry?.stop();
});

/** Takes the image out of the engine entirely, every name and the id. */
async function forget(): Promise<void> {
  await removeImages(harnessDocker(), [fixture.localTag, pulledRef, sourceId]);
  expect(await imageId(sourceId)).toBeUndefined();
}

describe('offline mode with archive folders', () => {
  let manifest: { images: { name: string; file: string; id: string; platform: string; sha256: string }[] };

  it('`stigmer image export DIR` on a connected machine pulls through the chain and writes the archive and its manifest', async () => {
    const result = await runStigmer(fixture, ['image', 'export', 'images']);
    // The pull's progress, and nothing else.
    expect(result.stderr).toMatch(/^Pulling \S+\n( {2}\S+: .*\n)*Pulled \S+: .*\n$/);
    expect(result.exitCode).toBe(0);
    const file = `${fixture.localTag.replace(/[^a-zA-Z0-9._-]+/g, '_')}.tar`;
    expect(result.stdout).toMatch(
      new RegExp(
        `^Exported ${fixture.localTag} \\(${sourceId.slice(0, 19)}, linux/amd64\\) to ${path.join(fixture.cwd, 'images', file)} \\(\\d+(\\.\\d)? [kMG]?B\\)\\nOn the offline machine: stigmer image import images\\n$`,
      ),
    );
    manifest = JSON.parse(await readFile(path.join(fixture.cwd, 'images/stigmer-images.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'stigmer-images/1',
      createdBy: 'stigmer 0.1.0-dev',
      images: [{ name: fixture.localTag, file, id: sourceId, platform: 'linux/amd64' }],
    });
    expect(manifest.images[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('with every registry stopped and the image gone, `--offline` resolves from the archive folder', async () => {
    expect(proxy.requests.length).toBeGreaterThan(0); // the export did pull through it
    await registry.stop();
    proxy.requests.length = 0;
    await forget();
    const result = await runStigmer(fixture, ['image', 'resolve', '--offline', '--explain']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(
      `${fixture.localTag} (${sourceId.slice(0, 19)}, linux/amd64) from archive ${path.join(fixture.cwd, 'images', manifest.images[0]?.file ?? '')}`,
    );
    expect(result.stdout).toMatch(/stigmer:local-image\s+passed\s+\S+\s+\S+ is not in the local engine/);
    expect(result.stdout).toMatch(/stigmer:ghcr\s+passed\s+\S+\s+not pulling \S+: offline mode/);
    expect(result.stdout).toMatch(
      /stigmer:offline\s+resolved\s+\S+\s+offline: loaded \S+ from \S+ \(checksum, id and platform checked\)/,
    );
    expect(await imageId(fixture.localTag)).toBe(sourceId);
    expect(proxy.requests).toEqual([]);
  });

  it('`stigmer image import DIR` loads it, then `stigmer server start --offline` runs it', async () => {
    await forget();
    const imported = await runStigmer(fixture, ['image', 'import', 'images']);
    expect(imported.stderr).toBe('');
    expect(imported.exitCode).toBe(0);
    expect(imported.stdout).toBe(
      `Imported ${fixture.localTag} (${sourceId.slice(0, 19)}, linux/amd64) from ${path.join(fixture.cwd, 'images', manifest.images[0]?.file ?? '')}\n`,
    );
    const started = await runStigmer(fixture, ['server', 'start', '--offline']);
    expect(started.stderr).toBe('');
    expect(started.exitCode).toBe(0);
    const info = await inspect(fixture.name);
    expect(info?.State.Running).toBe(true);
    expect(info?.Image).toBe(sourceId);
    expect((await runStigmer(fixture, ['server', 'stop'])).exitCode).toBe(0);
    expect(proxy.requests).toEqual([]);
  });

  it('refuses a damaged archive before the engine loads it', async () => {
    await forget();
    const file = path.join(fixture.cwd, 'images', manifest.images[0]?.file ?? '');
    const bytes = await readFile(file);
    const copy = path.join(fixture.cwd, 'damaged');
    // One flipped byte inside the last layer: the tar still parses, the content is not what was exported.
    bytes[bytes.length - 2048] = (bytes[bytes.length - 2048] ?? 0) ^ 0xff;
    await mkdir(copy, { recursive: true });
    await writeFile(path.join(copy, path.basename(file)), bytes);
    await writeFile(path.join(copy, 'stigmer-images.json'), JSON.stringify(manifest));
    const result = await runStigmer(fixture, ['image', 'import', 'damaged']);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(
      new RegExp(
        `^The archive ${path.join(copy, path.basename(file))} of ${fixture.localTag} was refused: its SHA-256 is [0-9a-f]{64}, the manifest says ${manifest.images[0]?.sha256} \\(damaged or replaced\\)\\.\\n$`,
      ),
    );
    expect(await imageId(sourceId)).toBeUndefined();
  });

  it('says what is missing and how to export it when the image is nowhere', async () => {
    await forget();
    const bare = await serverFixture({
      localImage: false,
      ghcr: { registry: proxy.host, tag: '0.1.0' },
      extraPlugins: ['offline'],
    });
    const result = await runStigmer(bare, ['image', 'resolve', '--offline']);
    expect(result.exitCode).toBe(3);
    const offlineHint = result.stderr.slice(result.stderr.indexOf('Offline mode:'));
    expect(offlineHint.split('\n')).toEqual([
      'Offline mode: the agent-runner image is not in the local engine, and no registry was asked (nothing may touch the network).',
      '',
      'Missing:',
      `  - ${bare.localTag}`,
      '',
      'Tried:',
      `  - stigmer:local-image: ${bare.localTag} is not in the local engine`,
      `  - stigmer:ghcr: not pulling ${proxy.host}/stigmer/agent-runner:0.1.0: offline mode`,
      `  - stigmer:offline: offline: ${bare.localTag} is not in the local engine, and no archive folder is configured`,
      '',
      'On a machine with network access and the same config, export it:',
      `  stigmer image export DIR --config ${path.join(bare.cwd, '.stigmerrc')}`,
      `Then copy DIR here and load it with \`stigmer image import DIR\`, or set the offline plugin's "archives" option to it.`,
      '',
    ]);
    expect(proxy.requests).toEqual([]);
  });
});
