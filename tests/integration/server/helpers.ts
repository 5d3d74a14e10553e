import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CliResult, projectDir, STIGMER_BIN } from '../cli/run.js';
import { harness, harnessDocker } from '../harness/context.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import { spawnCollect } from '../harness/process.js';

/** The container's command: a shell loop that prints a line and its API key (to prove logs are masked). */
export const LOOP_COMMAND = [
  'sh',
  '-c',
  'echo "runner up key=$ANTHROPIC_API_KEY"; while :; do sleep 1; done',
];

/** One test's world: its own container name, data folder, local tag and project folder. */
export interface ServerFixture {
  name: string;
  dataDir: string;
  localTag: string;
  cwd: string;
  /** A fake API key: it must reach the container's environment and nowhere else. */
  canary: string;
}

/**
 * The image these tests run: the harness's busybox image with a label of its
 * own, so its id differs from the shared test image's. Other test runs on the
 * same engine remove the shared image (and containers made from it) when they
 * finish; this one, and the containers made from it, they leave alone.
 */
const SERVER_IMAGE = `stigmer-it/server-base:${process.pid}`;
let serverImageId: Promise<string> | undefined;

/** Builds (once per test file; a build-cache hit after the first) the server tests' image; returns its id. */
export function serverImage(): Promise<string> {
  serverImageId ??= makeTestImage(SERVER_IMAGE, {
    docker: harnessDocker(),
    labels: { 'org.stigmer.test-suite': 'server' },
  });
  return serverImageId;
}

/** Removes the server tests' image name (call in afterAll). */
export async function removeServerImage(): Promise<void> {
  if (serverImageId === undefined) return;
  serverImageId = undefined;
  await removeImages(harnessDocker(), [SERVER_IMAGE]);
}

let counter = 0;
const made: { containers: string[]; tags: string[]; dirs: string[] } = { containers: [], tags: [], dirs: [] };

export interface FixtureOptions {
  /** Tag the harness's test image with the local tag (default true): the chain then resolves locally. */
  localImage?: boolean;
  /** Where the ghcr plugin pulls from; default a loopback port nobody listens on (never ghcr.io). */
  ghcr?: { registry: string; repository?: string; tag: string };
  /** Options of the agent-runner plugin (merged over the test command and init). */
  agentRunner?: Record<string, unknown>;
  /** More plugins, after agent-runner (e.g. `./example.mjs`). */
  extraPlugins?: unknown[];
  /** Files for the project folder. */
  files?: Record<string, string>;
  /** `server` settings besides the name and data folder. */
  server?: Record<string, unknown>;
  /** More top-level settings (`pull`, `engine`, `timeouts`...). */
  config?: Record<string, unknown>;
}

/** A project with a .stigmerrc that isolates this test and never reaches ghcr.io. */
export async function serverFixture(options: FixtureOptions = {}): Promise<ServerFixture> {
  const n = ++counter;
  const name = `stigmer-it-${process.pid}-${n}`;
  const localTag = `stigmer-it/agent-runner:s${process.pid}-${n}`;
  const dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'stigmer-data-')), 'data');
  made.containers.push(name);
  made.tags.push(localTag);
  if (options.localImage !== false) {
    const [repo, t] = localTag.split(':') as [string, string];
    await harnessDocker()
      .getImage(await serverImage())
      .tag({ repo, tag: t });
  }
  const config = {
    image: { localTag },
    plugins: [
      'local-image',
      [
        'ghcr',
        { repository: 'stigmer/agent-runner', ...(options.ghcr ?? { registry: '127.0.0.1:9', tag: 'none' }) },
      ],
      'build-hint',
      ['agent-runner', { command: LOOP_COMMAND, init: true, ...options.agentRunner }],
      ...(options.extraPlugins ?? []),
    ],
    // A short settle time keeps the many starts of these tests quick; readiness tests set their own.
    server: { containerName: name, dataDir, settleTime: '300ms', ...options.server },
    ...options.config,
  };
  const cwd = await projectDir({ '.stigmerrc': JSON.stringify(config, null, 2), ...options.files });
  made.dirs.push(cwd, path.dirname(dataDir));
  return { name, dataDir, localTag, cwd, canary: `sk-canary-${randomBytes(12).toString('hex')}` };
}

/** Removes every container and tag the fixtures of this file made. */
export async function cleanupFixtures(): Promise<void> {
  const docker = harnessDocker();
  for (const name of made.containers.splice(0)) {
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => {});
  }
  await removeImages(docker, made.tags.splice(0));
  await Promise.all(made.dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** The environment the CLI runs with: minimal, with the fixture's API key. */
export function cliEnv(fixture: ServerFixture, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: fixture.cwd,
    DOCKER_HOST: harness().dockerHost,
    ANTHROPIC_API_KEY: fixture.canary,
    ...extra,
  };
}

/** Spawns `stigmer ARGS` in the fixture's folder; the child is returned so tests can signal it. */
export function spawnStigmer(
  fixture: ServerFixture,
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  return spawnCollect(process.execPath, [STIGMER_BIN, ...args], {
    cwd: fixture.cwd,
    env: cliEnv(fixture, env),
  });
}

/** Runs `stigmer ARGS` to the end. */
export function runStigmer(fixture: ServerFixture, args: string[], env: Record<string, string> = {}) {
  return spawnStigmer(fixture, args, env).done;
}

/** The engine's full inspect of a container, or undefined. */
export async function inspect(nameOrId: string) {
  try {
    return await harnessDocker().getContainer(nameOrId).inspect();
  } catch {
    return undefined;
  }
}

/** Writes a file into the fixture's project folder. */
export function writeProjectFile(fixture: ServerFixture, name: string, content: string): Promise<void> {
  return writeFile(path.join(fixture.cwd, name), content);
}

/** Polls `check` until it returns true, failing after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A container HEALTHCHECK as the Engine API takes it (durations in nanoseconds). */
export interface Healthcheck {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

/**
 * Makes each `name` the server image plus `healthcheck`, by committing a
 * container of it with the check in its config: unlike a Dockerfile `FROM`,
 * a commit can never make the engine pull anything.
 */
export async function commitHealthImages(
  images: ReadonlyArray<readonly [string, Healthcheck]>,
): Promise<void> {
  const base = await harnessDocker().createContainer({ Image: await serverImage(), Cmd: ['sh'] });
  try {
    for (const [image, healthcheck] of images) {
      const [repo, tag] = image.split(':') as [string, string];
      await base.commit({ repo, tag, _body: { Healthcheck: healthcheck } });
    }
  } finally {
    await base.remove({ force: true });
  }
}
