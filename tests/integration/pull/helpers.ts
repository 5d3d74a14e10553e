import { afterAll, afterEach, beforeAll } from 'vitest';
import { harness, harnessDocker } from '../harness/context.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import { pushImage } from '../harness/push.js';

/** A fresh local tag per test, so no test sees another's leftovers. */
let counter = 0;
export const localTag = () => `stigmer-it/pull:t${process.pid}-${++counter}`;

/** Names the tests made in the engine, removed after each test. */
export const made: string[] = [];

export async function cleanupImages(): Promise<void> {
  await removeImages(harnessDocker(), made.splice(0));
}

/** A .stigmerrc: the default chain with ghcr pointed at a loopback registry. */
export function stigmerrc(
  tag: string,
  ghcr: { registry: string; repository?: string; tag: string; githubTokenHosts?: string[] },
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    image: { localTag: tag },
    plugins: ['local-image', ['ghcr', { repository: 'stigmer/agent-runner', ...ghcr }], 'build-hint'],
    ...extra,
  });
}

export async function imageId(reference: string): Promise<string | undefined> {
  try {
    return (await harnessDocker().getImage(reference).inspect()).Id;
  } catch {
    return undefined;
  }
}

/**
 * Builds an image whose filler layer the engine has never seen, pushes it to
 * `registry` as `repository:tag`, and removes it from the engine: pulling it
 * then really transfers a blob (what the blob faults need).
 */
export async function publishFreshImage(
  registry: string,
  repository: string,
  tag: string,
  sizeBytes = 6 * 1024 * 1024,
): Promise<string> {
  const docker = harnessDocker();
  const local = `stigmer-it/fresh-${process.pid}:${tag}`;
  const id = await makeTestImage(local, { docker, layers: 2, sizeBytes });
  const pushed = await pushImage(docker, id, { registry, repository, tag });
  await removeImages(docker, [pushed, local]);
  await docker
    .getImage(id)
    .remove({ force: true })
    .catch(() => undefined);
  return id;
}

/**
 * The original CLI's build hint, word for word, for this reference, error and
 * local tag (the Makefile target builds `stigmer-agent-runner:local` unless
 * told another name), and the paragraph that follows it: the lines that come
 * after a failed pull's own message.
 */
export function buildHintLines(reference: string, error: string, localTag: string): string[] {
  const make =
    localTag === 'stigmer-agent-runner:local'
      ? 'make build-agent-runner-image'
      : `make build-agent-runner-image AGENT_RUNNER_IMAGE=${localTag}`;
  return [
    'Docker image not found locally and pull from registry failed.',
    '',
    `Registry pull attempted: ${reference}`,
    `Error: ${error}`,
    '',
    'To fix this, build the image locally:',
    `  ${make}`,
    '',
    'Or if you have the repository:',
    '  cd backend/services/agent-runner',
    `  docker build -f Dockerfile -t ${localTag} ../../..`,
    '',
    'After building, restart Stigmer server.',
    '',
    'Or bring the image from a machine that has it: run `stigmer image export DIR` there, copy DIR here, then run `stigmer image import DIR`.',
  ];
}

/**
 * The end of a failed default-chain run: what each plugin tried, the ghcr
 * plugin's line being the first line of its message. `purpose` is the
 * command's: `image pull` skips the local image on purpose.
 */
export function triedLines(localTag: string, ghcrFirstLine: string, purpose: 'resolve' | 'pull'): string[] {
  const local =
    purpose === 'pull'
      ? `skipped: a pull was asked for, so ${localTag} is not reused`
      : `${localTag} is not in the local engine`;
  return [
    'What each plugin tried:',
    `  - stigmer:local-image: ${local}`,
    `  - stigmer:ghcr: ${ghcrFirstLine}`,
  ];
}

/** Settings that keep retries quick in tests; a test overrides what it studies. */
export const FAST_PULL = { pull: { retries: 1, retryDelay: '100ms', stallTimeout: '2s' } };

/**
 * A fault proxy in front of the open registry for the calling test file:
 * started once, reset (faults, stalled connections, recorded requests, the
 * images tests made) after each test, stopped at the end. Read `.proxy` inside tests.
 */
export function useFaultProxy(): { proxy: FaultProxy } {
  const holder = {} as { proxy: FaultProxy };
  beforeAll(async () => {
    holder.proxy = await startFaultProxy(harness().openRegistry);
  });
  afterEach(async () => {
    holder.proxy.clear();
    holder.proxy.closeStalled();
    holder.proxy.requests.length = 0;
    await cleanupImages();
  });
  afterAll(async () => {
    await holder.proxy?.stop();
  });
  return holder;
}
