import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ghcrPlugin } from '@stigmer/plugin-ghcr';
import { imageChecksPlugin } from '@stigmer/plugin-image-checks';
import { localImagePlugin } from '@stigmer/plugin-local-image';
import { runChain } from '@stigmer/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectDir, stigmer } from '../cli/run.js';
import { harness, harnessDocker } from '../harness/context.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import { imageId, imageNames, tagImage } from './helpers.js';

const images = imageNames('image-checks');
/** ghcr pointed at the harness's open registry, which holds the test image (label 0.1.0) as stigmer/agent-runner:0.1.0. */
const ghcr = () => [ghcrPlugin(), { registry: harness().openRegistry, tag: '0.1.0' }] as const;
const pulledRef = () => `${harness().openRegistry}/stigmer/agent-runner:0.1.0`;

describe('version check: the org.opencontainers.image.version label against the CLI version', () => {
  it('warns and accepts by default when the versions differ', async () => {
    const localTag = images.name();
    await tagImage(localTag);
    const run = await runChain({
      plugins: [localImagePlugin(), imageChecksPlugin()],
      request: { localTag, cliVersion: '0.2.0' },
    });
    expect(run.error).toBeUndefined();
    expect(run.image?.reference).toBe(localTag);
    expect(run.warnings).toEqual([
      `stigmer:image-checks: ${localTag} may not suit this CLI: it is version 0.1.0, the CLI is 0.2.0 (the same major.minor is required).`,
    ]);
  });

  it('accepts a matching version quietly, the CLI being a dev build of it', async () => {
    const localTag = images.name();
    await tagImage(localTag);
    const run = await runChain({
      plugins: [localImagePlugin(), [imageChecksPlugin(), { version: 'refuse' }]],
      request: { localTag, cliVersion: '0.1.0-dev' },
    });
    expect(run.error).toBeUndefined();
    expect(run.warnings).toEqual([]);
    expect(run.trace.at(-1)).toMatchObject({ hook: 'imageResolved', outcome: 'ok' });
  });

  it('refuses with policy refuse', async () => {
    const localTag = images.name();
    await tagImage(localTag);
    const run = await runChain({
      plugins: [localImagePlugin(), [imageChecksPlugin(), { version: 'refuse' }]],
      request: { localTag, cliVersion: '0.2.0' },
    });
    expect(run.error?.code).toBe('IMAGE_REJECTED');
    expect(run.error?.message).toBe(
      `The image ${localTag} (local engine) was refused: it is version 0.1.0, the CLI is 0.2.0 (the same major.minor is required). Use an image built for this CLI, or set the version check to warn.`,
    );
  });

  describe('with policy repull', () => {
    let oldImage: string;
    beforeAll(async () => {
      oldImage = 'stigmer-it/image-checks-old:0.0.9';
      await makeTestImage(oldImage, { labels: { 'org.opencontainers.image.version': '0.0.9' } });
      return () => removeImages(harnessDocker(), [oldImage]);
    });

    it('pulls afresh once when the local image is of another version, and runs the pulled one', async () => {
      const localTag = images.name();
      images.track(pulledRef());
      await tagImage(localTag, oldImage);
      const run = await runChain({
        plugins: [localImagePlugin(), ghcr(), [imageChecksPlugin(), { version: 'repull' }]],
        request: { localTag, cliVersion: '0.1.0' },
      });
      expect(run.error).toBeUndefined();
      expect(run.image).toMatchObject({ reference: localTag, id: harness().testImage.id });
      const decisions = run.trace.filter((e) => e.hook !== 'credentials');
      expect(decisions.map((e) => [e.hook, e.plugin, e.outcome])).toEqual([
        ['resolveImage', 'stigmer:local-image', 'resolved'],
        ['imageResolved', 'stigmer:image-checks', 'retry'],
        ['resolveImage', 'stigmer:local-image', 'passed'],
        ['resolveImage', 'stigmer:ghcr', 'resolved'],
        ['imageResolved', 'stigmer:image-checks', 'ok'],
      ]);
      expect(run.trace[1]?.reason).toBe(
        'it is version 0.0.9, the CLI is 0.1.0 (the same major.minor is required); pulling afresh',
      );
      expect(await imageId(localTag)).toBe(harness().testImage.id);
    });

    it('refuses when the fresh pull is no better', async () => {
      const localTag = images.name();
      images.track(pulledRef());
      await tagImage(localTag, oldImage);
      const run = await runChain({
        plugins: [localImagePlugin(), ghcr(), [imageChecksPlugin(), { version: 'repull' }]],
        request: { localTag, cliVersion: '0.3.0' },
      });
      expect(run.error?.code).toBe('IMAGE_REJECTED');
      expect(run.error?.message).toContain(
        'it is version 0.1.0, the CLI is 0.3.0 (the same major.minor is required), even after a fresh pull.',
      );
    });
  });
});

describe('digest pinning', () => {
  /** The registry digest of the test image in the open registry, learnt by pulling it once. */
  let digest: string;
  beforeAll(async () => {
    const localTag = 'stigmer-it/image-checks-digest:probe';
    const run = await runChain({ plugins: [ghcr()], request: { localTag } });
    digest = String(run.image?.digest).split('@')[1] as string;
    await removeImages(harnessDocker(), [localTag, pulledRef()]);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('accepts a pulled image whose digest is the pinned one', async () => {
    const localTag = images.name();
    images.track(pulledRef());
    const run = await runChain({
      plugins: [ghcr(), [imageChecksPlugin(), { digest, version: 'off' }]],
      request: { localTag },
    });
    expect(run.error).toBeUndefined();
    expect(run.trace.at(-1)?.messages).toEqual([
      { level: 'info', message: `digest ${digest.slice(0, 19)} matches the pin from the digest option` },
    ]);
  });

  it('refuses a pulled image with another digest, pinned in a lock file, and untags it', async () => {
    const localTag = images.name();
    images.track(pulledRef());
    const cwd = await projectDir();
    const wrong = `sha256:${'0'.repeat(64)}`;
    await writeFile(path.join(cwd, 'stigmer.lock.json'), JSON.stringify({ digest: wrong }));
    const run = await runChain({
      plugins: [ghcr(), [imageChecksPlugin(), { version: 'off' }]],
      request: { localTag },
      cwd,
    });
    expect(run.error?.code).toBe('IMAGE_REJECTED');
    expect(run.error?.message).toBe(
      `The image ${localTag} (registry ${pulledRef()}) was refused: its digest ${digest} is not the pinned ${wrong} (from ${path.join(cwd, 'stigmer.lock.json')}); ${localTag} was untagged. Pull the pinned image, or update the pin.`,
    );
    expect(await imageId(localTag)).toBeUndefined();
  });

  it('through the CLI: a refused image exits 4', async () => {
    const localTag = images.name();
    await tagImage(localTag);
    const cwd = await projectDir({
      '.stigmerrc': JSON.stringify({
        image: { localTag },
        plugins: ['local-image', ['image-checks', { digest: `sha256:${'1'.repeat(64)}` }]],
      }),
    });
    const result = await stigmer(['image', 'resolve'], { cwd });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain(`its digest ${harness().testImage.id} is not the pinned sha256:1111`);
    // A locally built image (no registry digest) is the user's: refused, never untagged.
    expect(await imageId(localTag)).toBe(harness().testImage.id);
  });
});
