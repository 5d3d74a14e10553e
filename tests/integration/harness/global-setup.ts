import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { TestProject } from 'vitest/node';
import { makeSigningCertificate } from './certificates.js';
import { Cleanup } from './cleanup.js';
import type { HarnessInfo } from './context.js';
import type { Credentials } from './credentials.js';
import { connectEngine, engineAddress } from './engine.js';
import {
  PRIVATE_REPOSITORY,
  PRIVATE_TAG,
  PUBLIC_REPOSITORY,
  PUBLIC_TAGS,
  TEST_IMAGE,
  TEST_IMAGE_LABELS,
  TOKEN_ISSUER,
  TOKEN_SERVICE,
} from './fixtures.js';
import { makeTestImage, removeImages } from './images.js';
import { pushImage } from './push.js';
import { type Registry, startRegistry } from './registry.js';
import { startTokenServer, type TokenServer } from './token-server.js';

/**
 * The integration project's global setup: one engine check, one open
 * registry, one token-auth registry with its token server, and one test image
 * published to both, shared by every test file of the run. Starting them once
 * keeps each file fast; tests must therefore not delete what is published here.
 */
export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const timer = phaseTimer();
  const cleanup = new Cleanup();
  try {
    const address = engineAddress();
    const docker = await timer.time('engine', connectEngine(address));

    const users = { pusher: newUser('pusher'), reader: newUser('reader') };
    // Independent, so side by side: the signing key (openssl) dominates the
    // registries' start, the build runs in the engine meanwhile.
    const [{ openRegistry, tokenRegistry, tokenServer }, imageId] = await settleBoth(
      timer.time('registries', startRegistries(users, cleanup)),
      timer.time('image', buildTestImage(docker, cleanup)),
    );

    await timer.time('push', publish(docker, imageId, openRegistry, tokenRegistry, users.pusher));
    // Tests see only what they themselves asked of the token server.
    tokenServer.clearRequests();

    const info: HarnessInfo = {
      dockerHost: address.dockerHost,
      openRegistry: openRegistry.host,
      tokenRegistry: tokenRegistry.host,
      tokenServer: tokenServer.url,
      users,
      testImage: { ...TEST_IMAGE, id: imageId },
    };
    provide('harness', info);
    // Which Node.js runs the tests, and so every CLI they spawn (process.execPath).
    console.log(`[harness] Node.js ${process.version}: ready in ${timer.summary()}`);
  } catch (error) {
    // vitest calls no teardown when setup throws: undo here what was started.
    await cleanup.run().catch((cleanupError: unknown) => console.error(cleanupError));
    throw error;
  }
  return () => cleanup.run();
}

/** Builds the test image (a cache hit when the engine still has its layers). */
async function buildTestImage(docker: Docker, cleanup: Cleanup): Promise<string> {
  const imageId = await makeTestImage(`${TEST_IMAGE.repository}:${TEST_IMAGE.tag}`, {
    docker,
    labels: { ...TEST_IMAGE_LABELS },
  });
  cleanup.add('remove test image', () => removeTestImage(docker, imageId));
  return imageId;
}

function newUser(username: string): Credentials {
  return { username, password: randomBytes(12).toString('base64url') };
}

/** Starts the open registry and the token server + token registry, registering their cleanup. */
async function startRegistries(
  users: { pusher: Credentials; reader: Credentials },
  cleanup: Cleanup,
): Promise<{ openRegistry: Registry; tokenRegistry: Registry; tokenServer: TokenServer }> {
  const dir = await mkdtemp(join(tmpdir(), 'stigmer-harness-'));
  cleanup.add('remove harness temp dir', () => rm(dir, { recursive: true, force: true }));

  const [openRegistry, signing] = await settleBoth(
    startRegistry().then((registry) => {
      cleanup.add('stop open registry', () => registry.stop());
      return registry;
    }),
    makeSigningCertificate(dir),
  );

  const tokenServer = await startTokenServer({
    signing,
    service: TOKEN_SERVICE,
    issuer: TOKEN_ISSUER,
    users: Object.fromEntries(Object.values(users).map((user) => [user.username, user.password])),
    pushers: [users.pusher.username],
    repositories: {
      [PUBLIC_REPOSITORY]: { visibility: 'public' },
      [PRIVATE_REPOSITORY]: { visibility: 'private', readers: [users.reader.username] },
    },
  });
  cleanup.add('stop token server', () => tokenServer.stop());

  const tokenRegistry = await startRegistry({
    auth: {
      realm: tokenServer.realm,
      service: tokenServer.service,
      issuer: tokenServer.issuer,
      rootCertBundle: tokenServer.rootCertBundle,
    },
  });
  cleanup.add('stop token registry', () => tokenRegistry.stop());
  return { openRegistry, tokenRegistry, tokenServer };
}

/**
 * Pushes the test image to both registries (in parallel: they share only the
 * engine), then drops the registry-prefixed tags so that tests start with the
 * engine holding the test image under its local name only.
 */
async function publish(
  docker: Docker,
  imageId: string,
  openRegistry: Registry,
  tokenRegistry: Registry,
  pusher: Credentials,
): Promise<void> {
  const toOpen = PUBLIC_TAGS.map((tag) => ({
    registry: openRegistry.host,
    repository: PUBLIC_REPOSITORY,
    tag,
  }));
  const toToken = [
    ...PUBLIC_TAGS.map((tag) => ({ registry: tokenRegistry.host, repository: PUBLIC_REPOSITORY, tag })),
    { registry: tokenRegistry.host, repository: PRIVATE_REPOSITORY, tag: PRIVATE_TAG },
  ].map((target) => ({ ...target, credentials: pusher }));

  const pushAll = async (targets: Parameters<typeof pushImage>[2][]) => {
    const refs: string[] = [];
    for (const target of targets) refs.push(await pushImage(docker, imageId, target));
    return refs;
  };
  const pushed = (await settleBoth(pushAll(toOpen), pushAll(toToken))).flat();
  // Untag only: the image stays under its local name (not force, which would delete it).
  for (const ref of pushed) await docker.getImage(ref).remove({ noprune: true });
}

/**
 * Removes the containers made from the test image, then the image itself
 * (with every tag a test may have left on it), so a run leaves nothing behind.
 */
async function removeTestImage(docker: Docker, imageId: string): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: { ancestor: [imageId] } });
  for (const container of containers)
    await docker.getContainer(container.Id).remove({ force: true, v: true });
  await removeImages(docker, [imageId]);
}

/**
 * Like Promise.all for two, but waits for both before throwing: work still
 * running when cleanup starts could register (or leave) things cleanup missed.
 */
async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
}

/** Per-phase durations for the one-line readiness report. */
function phaseTimer(): { time<T>(phase: string, work: Promise<T>): Promise<T>; summary(): string } {
  const start = performance.now();
  const phases: string[] = [];
  return {
    async time(phase, work) {
      const begin = performance.now();
      const result = await work;
      phases.push(`${phase} ${Math.round(performance.now() - begin)} ms`);
      return result;
    },
    summary: () => `${Math.round(performance.now() - start)} ms (${phases.join(', ')})`,
  };
}
