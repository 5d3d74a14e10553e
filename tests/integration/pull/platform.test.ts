import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { projectDir, stigmer } from '../cli/run.js';
import { harness, harnessDocker } from '../harness/context.js';
import { pushMultiArch } from '../harness/multi-arch.js';
import {
  buildHintLines,
  cleanupImages,
  FAST_PULL,
  imageId,
  localTag,
  made,
  stigmerrc,
  triedLines,
} from './helpers.js';

/**
 * Platforms: a manifest list pulled for each of its platforms, a platform the
 * tag lacks (listed, not retried), and a single-platform image that the
 * engine silently pulls for another platform (caught and untagged).
 */

const MULTI_TAG = `multiarch-${process.pid}`;
let digests: { amd64: string; arm64: string; list: string };

beforeAll(async () => {
  // Built here, not in the global setup: only this file needs it.
  digests = await pushMultiArch(harness().openRegistry, 'stigmer/agent-runner', '0.1.0', MULTI_TAG);
});
afterEach(cleanupImages);

async function pull(ghcrTag: string, platform: string, args: string[] = ['--quiet']) {
  const registry = harness().openRegistry;
  const tag = localTag();
  const reference = `${registry}/stigmer/agent-runner:${ghcrTag}`;
  made.push(tag, reference);
  const cwd = await projectDir({ '.stigmerrc': stigmerrc(tag, { registry, tag: ghcrTag }, FAST_PULL) });
  const result = await stigmer(['image', 'pull', '--platform', platform, ...args], { cwd });
  return { ...result, tag, reference };
}

describe('a manifest list (linux/amd64 + linux/arm64)', () => {
  it('pulls the arm64 variant for --platform linux/arm64 and records its digest', async () => {
    const r = await pull(MULTI_TAG, 'linux/arm64', ['--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.image).toMatchObject({ reference: r.tag, platform: 'linux/arm64' });
    expect(doc.image.digest).toBe(`${harness().openRegistry}/stigmer/agent-runner@${digests.list}`);
    const inspect = await harnessDocker().getImage(r.tag).inspect();
    expect(inspect.Architecture).toBe('arm64');
  });

  it('pulls the amd64 variant for --platform linux/amd64', async () => {
    const r = await pull(MULTI_TAG, 'linux/amd64', ['--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).image).toMatchObject({ platform: 'linux/amd64', id: harness().testImage.id });
  });

  it('lists the platforms the tag has when the wanted one is missing: exit 10, one attempt', async () => {
    const r = await pull(MULTI_TAG, 'linux/s390x', ['--json']);
    expect(r.exitCode).toBe(10);
    const { error } = JSON.parse(r.stdout);
    const classified = [
      `${r.reference} has no image for linux/s390x; it has: linux/amd64, linux/arm64.`,
      'To fix: pass --platform (or set image.platform) to one of those, or publish the image for linux/s390x.',
    ];
    expect(error).toMatchObject({
      code: 'PULL_PLATFORM_UNAVAILABLE',
      exitCode: 10,
      message: [
        ...classified,
        '',
        ...buildHintLines(r.reference, error.details.said, r.tag),
        '',
        ...triedLines(r.tag, classified[0] as string, 'pull'),
      ].join('\n'),
      plugin: 'stigmer:ghcr',
      hook: 'resolveImage',
      details: { attempts: 1, available: ['linux/amd64', 'linux/arm64'], platform: 'linux/s390x' },
    });
    expect(await imageId(r.tag)).toBeUndefined();
  });
});

describe('a single-platform image pulled for another platform', () => {
  it('is detected after the pull, untagged, and reported with the platform it has: exit 10', async () => {
    const r = await pull('0.1.0', 'linux/arm64');
    expect(r.exitCode).toBe(10);
    const classified = [
      `${r.reference} has no image for linux/arm64; it has: linux/amd64.`,
      'To fix: pass --platform (or set image.platform) to one of those, or publish the image for linux/arm64.',
    ];
    expect(r.stderr).toBe(
      [
        ...classified,
        '',
        ...buildHintLines(r.reference, 'the image is linux/amd64', r.tag),
        '',
        ...triedLines(r.tag, classified[0] as string, 'pull'),
        '',
      ].join('\n'),
    );
    // Neither the local name nor the registry name is left behind.
    expect(await imageId(r.tag)).toBeUndefined();
    expect(await imageId(r.reference)).toBeUndefined();
    // The test image the engine held before is untouched.
    expect(await imageId(harness().testImage.id)).toBe(harness().testImage.id);
  });
});

describe('a local image of another platform', () => {
  it('is not reused by image resolve: local-image says why and the registry is asked', async () => {
    const registry = harness().openRegistry;
    const tag = localTag();
    made.push(tag, `${registry}/stigmer/agent-runner:${MULTI_TAG}`);
    const [repo, t] = tag.split(':') as [string, string];
    await harnessDocker().getImage(harness().testImage.id).tag({ repo, tag: t });
    const cwd = await projectDir({ '.stigmerrc': stigmerrc(tag, { registry, tag: MULTI_TAG }, FAST_PULL) });
    const r = await stigmer(['image', 'resolve', '--platform', 'linux/arm64', '--explain'], { cwd });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      `${tag} is linux/amd64, not linux/arm64; treated as missing (set allowOtherPlatform to reuse it)`,
    );
    expect(r.stdout.split('\n')[0]).toMatch(
      new RegExp(`^${tag.replace(/[.:]/g, '\\$&')} \\(sha256:\\w+, linux/arm64\\)`),
    );
  });
});
