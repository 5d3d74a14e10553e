import { ghcrPlugin } from '@stigmer/plugin-ghcr';
import { registryPlugin } from '@stigmer/plugin-registry';
import { runChain } from '@stigmer/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, harnessDocker } from '../harness/context.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import { pushImage } from '../harness/push.js';
import { imageNames } from './helpers.js';

/**
 * Which tag a CLI version pulls, against a real registry holding two
 * different images: `:v1.3.0-rc.1` (what the image workflow pushes for that
 * prerelease) and `:latest`. A prerelease CLI must get its own image; only a
 * dev build gets `latest`. Both first-party registry plugins follow the rule.
 */

const REPO = `stigmer/tags-${process.pid}`;
const SOURCES = { rc: `stigmer-it/tags-rc:${process.pid}`, latest: `stigmer-it/tags-latest:${process.pid}` };
const ids = { rc: '', latest: '' };
const pushed: string[] = [];
const images = imageNames('tags');

beforeAll(async () => {
  const docker = harnessDocker();
  ids.rc = await makeTestImage(SOURCES.rc, { labels: { 'org.opencontainers.image.version': '1.3.0-rc.1' } });
  ids.latest = await makeTestImage(SOURCES.latest, {
    labels: { 'org.opencontainers.image.version': '1.2.0' },
  });
  const registry = harness().openRegistry;
  pushed.push(await pushImage(docker, SOURCES.rc, { registry, repository: REPO, tag: 'v1.3.0-rc.1' }));
  pushed.push(await pushImage(docker, SOURCES.latest, { registry, repository: REPO, tag: 'latest' }));
  // Only the registry has them under these names now.
  await removeImages(docker, pushed);
});

afterAll(() => removeImages(harnessDocker(), [...pushed, ...Object.values(SOURCES)]));

const plugins = {
  ghcr: () => [ghcrPlugin(), { registry: harness().openRegistry, repository: REPO }] as const,
  registry: () => [registryPlugin(), { image: `${harness().openRegistry}/${REPO}` }] as const,
};

describe.each(['ghcr', 'registry'] as const)('the %s plugin', (name) => {
  it.each([
    ['1.3.0-rc.1', 'v1.3.0-rc.1', 'rc'],
    ['v1.3.0-rc.1', 'v1.3.0-rc.1', 'rc'],
    ['1.3.0-dev', 'latest', 'latest'],
    ['0.1.0-dev', 'latest', 'latest'],
  ] as const)('a %s CLI pulls :%s', async (cliVersion, tag, which) => {
    const localTag = images.name();
    const reference = `${harness().openRegistry}/${REPO}:${tag}`;
    images.track(reference);
    const run = await runChain({ plugins: [plugins[name]()], request: { localTag, cliVersion } });
    expect(run.error).toBeUndefined();
    expect(run.image).toMatchObject({ reference: localTag, id: ids[which] });
    expect(run.image?.source).toContain(reference);
  });
});
