import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, harnessDocker } from '../harness/context.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import { FIXTURE_AGENT_RUNNER, make, run } from './run.js';

// The Makefile's targets, run for real against the harness's engine, with the
// agent-runner stand-in in tests/fixtures (same layout as the original:
// backend/services/agent-runner, context ../../..). The standalone binary is
// reused when standalone.test.ts already built it in this run (make decides).
const image = `stigmer-it/agent-runner:make-${process.pid}`;
/** A busybox image for the "running agent-runner" container. */
const runnerImage = `stigmer-it/agent-runner:make-runner-${process.pid}`;
const container = `stigmer-it-runner-${process.pid}`;
const dirs: string[] = [];
const imageVars = [`AGENT_RUNNER_DIR=${FIXTURE_AGENT_RUNNER}`, `AGENT_RUNNER_IMAGE=${image}`];

async function installDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-it-install-'));
  dirs.push(dir);
  return dir;
}

async function containerExists(name: string): Promise<boolean> {
  try {
    await harnessDocker().getContainer(name).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

beforeAll(async () => {
  await removeImages(harnessDocker(), [image]);
  await makeTestImage(runnerImage, { docker: harnessDocker() });
});

afterAll(async () => {
  await harnessDocker()
    .getContainer(container)
    .remove({ force: true })
    .catch(() => undefined);
  await removeImages(harnessDocker(), [image, runnerImage]);
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('make build-agent-runner-image', () => {
  it('builds the Dockerfile in the source folder with the context three levels up, under the given tag', async () => {
    const result = await make(['build-agent-runner-image', ...imageVars], harness().dockerHost);
    expect(result.exitCode, result.stderr).toBe(0);
    const built = await harnessDocker().getImage(image).inspect();
    expect(built.Config.Labels).toMatchObject({ 'org.stigmer.test-fixture': 'agent-runner' });
    expect(built.Config.Cmd).toEqual(['/app/agent-runner']);
    // One layer per COPY: VERSION (only at the context root) and the folder's main.txt.
    expect(built.RootFS.Layers).toHaveLength(2);
  });

  it('says which folder to point it at when there is no Dockerfile', async () => {
    const result = await make(
      ['build-agent-runner-image', 'AGENT_RUNNER_DIR=no/such/agent-runner', `AGENT_RUNNER_IMAGE=${image}-x`],
      harness().dockerHost,
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('build-agent-runner-image: no no/such/agent-runner/Dockerfile.');
    expect(result.stderr).toContain('Point AGENT_RUNNER_DIR at the agent-runner source folder');
  });
});

describe('make release-local-full', () => {
  it('removes the running agent-runner, builds the image and installs the standalone CLI, in that order', async () => {
    const docker = harnessDocker();
    const running = await docker.createContainer({
      name: container,
      Image: runnerImage,
      Cmd: ['sleep', '600'],
      HostConfig: { NetworkMode: 'none' },
    });
    await running.start();
    await removeImages(docker, [image]);
    const dir = await installDir();

    const result = await make(
      ['release-local-full', ...imageVars, `AGENT_RUNNER_CONTAINER=${container}`, `INSTALL_DIR=${dir}`],
      harness().dockerHost,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await containerExists(container)).toBe(false);
    expect((await docker.getImage(image).inspect()).Config.Labels).toMatchObject({
      'org.stigmer.test-fixture': 'agent-runner',
    });
    const removedAt = result.stdout.indexOf(`removing container ${container}`);
    const builtAt = result.stdout.indexOf(`-t '${image}'`);
    const installedAt = result.stdout.indexOf(`installed ${dir}/stigmer `);
    expect(removedAt).toBeGreaterThanOrEqual(0);
    expect(builtAt).toBeGreaterThan(removedAt);
    expect(installedAt).toBeGreaterThan(builtAt);
    await access(path.join(dir, 'stigmer'));
    const version = await run(path.join(dir, 'stigmer'), ['--version'], { cwd: dir });
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });

  it('goes ahead when no agent-runner container exists', async () => {
    expect(await containerExists(container)).toBe(false);
    const result = await make(
      [
        'release-local-full',
        ...imageVars,
        `AGENT_RUNNER_CONTAINER=${container}`,
        `INSTALL_DIR=${await installDir()}`,
      ],
      harness().dockerHost,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('removing container');
    expect(result.stdout).toContain('installed ');
  });
});
