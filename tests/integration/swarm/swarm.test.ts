import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectDir, STIGMER_BIN } from '../cli/run.js';
import { harness } from '../harness/context.js';
import { makeTestImage } from '../harness/images.js';
import { spawnCollect } from '../harness/process.js';
import { followProgress } from '../harness/progress.js';
import { type Registry, startRegistry } from '../harness/registry.js';
import { type SwarmLab, startSwarm } from '../harness/swarm.js';
import { tarArchive } from '../harness/tar.js';

/**
 * plugin-swarm on a real three-node swarm (three engines joined over
 * 127.0.0.1-3, started for this file only) and a loopback registry every
 * node pulls from. The tests run in order on one service, as a team would
 * use it: start, look, update, a failed update, a dead node, stop.
 */

const REPLICAS = 3;
// The runner prints its API key: `server logs` must mask it although Swarm never gives the value back.
const COMMAND = [
  'sh',
  '-c',
  'echo "runner up on $(hostname) with key $ANTHROPIC_API_KEY"; while :; do sleep 1; done',
];
const newKey = () => `sk-swarm-canary-${randomBytes(12).toString('hex')}`;
let apiKey = newKey();
const name = `stigmer-sw-${process.pid}`;
const localTag = `stigmer-it/swarm-runner:${process.pid}`;

let lab: SwarmLab | undefined;
let registry: Registry | undefined;
let cwd = '';
let dataRoot = '';
let manager: Docker;
let imageA: string;
let imageB: string;
let broken: string;

/** `stigmer ARGS` against the swarm's manager (or `dockerHost`), with the API key in its environment. */
function stigmer(args: string[], where: { cwd?: string; dockerHost?: string } = {}) {
  const dir = where.cwd ?? cwd;
  return spawnCollect(process.execPath, [STIGMER_BIN, ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      DOCKER_HOST: where.dockerHost ?? lab?.hosts[0] ?? '',
      ANTHROPIC_API_KEY: apiKey,
    },
  }).done;
}

/** A project whose config runs `tag` on the swarm; `swarm` options over the defaults below. */
function swarmProject(service: string, tag: string, swarm: Record<string, unknown>) {
  const config = {
    image: { localTag: tag },
    plugins: ['local-image', ['agent-runner', { command: COMMAND, hostNetwork: true }], ['swarm', swarm]],
    server: {
      containerName: service,
      dataDir: path.join(dataRoot, service),
      stopTimeout: '1s',
      readyTimeout: '90s',
    },
  };
  return projectDir({ '.stigmerrc': JSON.stringify(config, null, 2) });
}

/** What the container's main process has in its environment. */
async function environmentOf(container: Docker.Container): Promise<string> {
  const exec = await container.exec({
    Cmd: ['cat', '/proc/1/environ'],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  await new Promise((resolve) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
  });
  return Buffer.concat(chunks).toString('latin1');
}

/** The containers of the service on every live node. */
async function serviceContainers(): Promise<Docker.Container[]> {
  const filters = { label: [`com.docker.swarm.service.name=${name}`] };
  const found: Docker.Container[] = [];
  for (const node of lab?.nodes ?? []) {
    const summaries = await node.listContainers({ filters }).catch(() => []);
    found.push(...summaries.map((c) => node.getContainer(c.Id)));
  }
  return found;
}

async function json(args: string[]) {
  const result = await stigmer([...args, '--json']);
  if (result.exitCode !== 0)
    throw new Error(`stigmer ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout);
}

async function useImage(id: string) {
  const [repo, tag] = localTag.split(':') as [string, string];
  await manager.getImage(id).tag({ repo, tag });
}

/** An image FROM `base` whose entrypoint does not exist: every task of it fails at once. */
async function brokenImage(base: string): Promise<string> {
  const tag = `stigmer-it/swarm-broken:${process.pid}`;
  const context = tarArchive([
    { type: 'file', name: 'Dockerfile', data: `FROM ${base}\nENTRYPOINT ["/no/such/runner"]\n` },
  ]);
  const stream = await manager.buildImage(Readable.from([context]), { t: tag, rm: true });
  await followProgress(manager, stream, `build ${tag}`);
  return (await manager.getImage(tag).inspect()).Id;
}

interface Task {
  ID: string;
  NodeID: string;
  DesiredState: string;
  Status: { State: string; Err?: string };
  Spec: { ContainerSpec: { Image: string } };
}

async function tasks(): Promise<Task[]> {
  return (await manager.listTasks({ filters: { service: [name] } })) as Task[];
}

async function runningTasks(): Promise<Task[]> {
  return (await tasks()).filter((t) => t.Status.State === 'running' && t.DesiredState === 'running');
}

/** Each node's swarm id, in the lab's order (its own engine says; the manager sees one address for all). */
async function nodeIds(): Promise<string[]> {
  return Promise.all((lab?.nodes ?? []).map(async (node) => (await node.info()).Swarm.NodeID as string));
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  [lab, registry] = await Promise.all([startSwarm(3), startRegistry()]);
  manager = lab.nodes[0] as Docker;
  imageA = await makeTestImage(`stigmer-it/swarm-a:${process.pid}`, { docker: manager, labels: { v: 'a' } });
  imageB = await makeTestImage(`stigmer-it/swarm-b:${process.pid}`, { docker: manager, labels: { v: 'b' } });
  broken = await brokenImage(`stigmer-it/swarm-b:${process.pid}`);
  await useImage(imageA);
  dataRoot = await mkdtemp(path.join(tmpdir(), 'stigmer-swarm-'));
  cwd = await swarmProject(name, localTag, {
    replicas: REPLICAS,
    registry: registry.host,
    update: { parallelism: 1, order: 'start-first', monitorMs: 2000 },
  });
}, 180_000);

afterAll(async () => {
  await lab?.stop();
  await registry?.stop();
  await Promise.all([cwd, dataRoot].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
}, 120_000);

describe('plugin-swarm refuses what it cannot run', () => {
  it('an image that exists only on this machine, with no registry configured: IMAGE_REJECTED (exit 4), nothing created', async () => {
    const service = `stigmer-sw-noreg-${process.pid}`;
    const tag = `stigmer-it/swarm-local:${process.pid}`;
    await makeTestImage(tag, { docker: manager, labels: { v: 'local-only' } });
    const project = await swarmProject(service, tag, { replicas: 1 });
    const result = await stigmer(['server', 'start'], { cwd: project });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('exists only on this machine');
    expect(result.stderr).toContain('"registry"');
    const gone = await manager
      .getService(service)
      .inspect()
      .catch((e: { statusCode?: number }) => e.statusCode);
    expect(gone).toBe(404);
    await rm(project, { recursive: true, force: true });
  });

  it('a service whose every replica fails at start: SERVER_START_FAILED at once, naming the tasks and why; stop removes what was kept', async () => {
    const service = `stigmer-sw-fail-${process.pid}`;
    const tag = `stigmer-it/swarm-failing:${process.pid}`;
    await manager.getImage(broken).tag({ repo: 'stigmer-it/swarm-failing', tag: String(process.pid) });
    const project = await swarmProject(service, tag, { replicas: 2, registry: registry?.host });
    const started = Date.now();
    const result = await stigmer(['server', 'start', '--json'], { cwd: project });
    expect(Date.now() - started).toBeLessThan(60_000); // server.readyTimeout is 90 s
    expect(result.exitCode).not.toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer.error.code).toBe('SERVER_START_FAILED');
    expect(answer.error.message).toContain('every replica failed');
    expect(answer.error.message).toContain(`${service}.`);
    expect(answer.error.details.failures.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(answer.error.details.failures)).toContain('non-zero exit (127)');
    // What the task printed says why: the wrapper could not exec the image's entrypoint.
    expect(answer.error.message).toMatch(/Its last output:\n.*\/no\/such\/runner/);
    expect(JSON.stringify(answer)).not.toContain(apiKey);
    const stop = await stigmer(['server', 'stop', '--json'], { cwd: project });
    expect(JSON.parse(stop.stdout).removed).toContain(`service ${service}`);
    // The same document shape as a single container's stop (README's JSON table): engine, configFile, trace.
    expect(JSON.parse(stop.stdout)).toMatchObject({
      configFile: expect.stringContaining(project),
      trace: expect.any(Array),
    });
    const secrets = await manager.listSecrets({
      filters: { label: [`org.stigmer.swarm.service=${service}`] },
    });
    expect(secrets).toEqual([]);
    await rm(project, { recursive: true, force: true });
  });

  it('Ctrl-C while the service is being created: exit 130, and neither the service nor its secret is left', async () => {
    const service = `stigmer-sw-int-${process.pid}`;
    const project = await swarmProject(service, imageA, { replicas: 2, registry: registry?.host });
    const run = spawnCollect(process.execPath, [STIGMER_BIN, 'server', 'start'], {
      cwd: project,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: project,
        DOCKER_HOST: lab?.hosts[0] ?? '',
        ANTHROPIC_API_KEY: apiKey,
      },
    });
    // Interrupt once the service exists: its secret is made, its tasks are starting.
    for (let seen = false; !seen; await new Promise((r) => setTimeout(r, 25))) {
      seen = (await manager.listServices({ filters: { name: [service] } })).length > 0;
    }
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.exitCode).toBe(130);
    const gone = await manager
      .getService(service)
      .inspect()
      .catch((e: { statusCode?: number }) => e.statusCode);
    expect(gone).toBe(404);
    const secrets = await manager.listSecrets({
      filters: { label: [`org.stigmer.swarm.service=${service}`] },
    });
    expect(secrets).toEqual([]);
    await rm(project, { recursive: true, force: true });
  });

  it('an engine that is not in a swarm: says so and what to do, creates nothing', async () => {
    const { dockerHost, testImage } = harness();
    const project = await swarmProject(
      `stigmer-sw-solo-${process.pid}`,
      `${testImage.repository}:${testImage.tag}`,
      {},
    );
    const result = await stigmer(['server', 'start'], { cwd: project, dockerHost });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('not part of a swarm');
    expect(result.stderr).toContain('docker swarm init');
    const status = await stigmer(['server', 'status'], { cwd: project, dockerHost });
    expect(status.stderr).toContain('not part of a swarm');
    await rm(project, { recursive: true, force: true });
  });
});

describe('server start on a three-node swarm (plugin-swarm)', () => {
  let currentImage = '';

  it('starts 3 replicas spread over the three nodes, running the locally built image pushed to the registry by digest', async () => {
    const outcome = await json(['server', 'start']);
    expect(outcome.action).toBe('started');
    expect(outcome.runtime).toBe('swarm');
    expect(outcome.deployment.running).toBe(REPLICAS);
    expect(outcome.deployment.image).toMatch(
      new RegExp(
        `^${(registry?.host ?? '').replaceAll('.', '\\.')}/stigmer/agent-runner@sha256:[a-f0-9]{64}$`,
      ),
    );
    currentImage = outcome.deployment.image;
    const running = await runningTasks();
    expect(running).toHaveLength(REPLICAS);
    expect(new Set(running.map((t) => t.NodeID)).size).toBe(3);
    for (const task of running) expect(task.Spec.ContainerSpec.Image).toBe(currentImage);
    // The registry holds what the nodes pulled.
    const digest = currentImage.split('@')[1];
    const manifest = await fetch(`${registry?.url}/v2/stigmer/agent-runner/manifests/${digest}`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(manifest.status).toBe(200);
  });

  it('shows the service and every task with its node, state and image digest (text and JSON)', async () => {
    const status = await json(['server', 'status']);
    expect(status.state).toBe('running');
    const units = status.deployment.units.filter(
      (u: { desiredState: string }) => u.desiredState === 'running',
    );
    expect(units).toHaveLength(REPLICAS);
    expect(new Set(units.map((u: { node: string }) => u.node)).size).toBe(3);
    for (const u of units) expect(u.image).toBe(currentImage);
    const text = await stigmer(['server', 'status']);
    expect(text.stdout).toContain('agent-runner: running (3/3 replicas, swarm service)');
    for (const node of await nodeIds()) expect(text.stdout).toContain(`(${node.slice(0, 12)})`);
  });

  it("delivers the API key as a Swarm secret: in the runner's environment, in no service, task or container inspect on any node", async () => {
    const service = await manager.getService(name).inspect();
    expect(JSON.stringify(service)).not.toContain(apiKey);
    expect(JSON.stringify(await tasks())).not.toContain(apiKey);
    expect(service.Spec.TaskTemplate.ContainerSpec.Secrets).toHaveLength(1);
    let seen = 0;
    for (const container of await serviceContainers()) {
      expect(JSON.stringify(await container.inspect())).not.toContain(apiKey);
      expect(await environmentOf(container)).toContain(`ANTHROPIC_API_KEY=${apiKey}`);
      seen++;
    }
    expect(seen).toBe(REPLICAS);
  });

  it('shows the service logs with each line prefixed by its task and node, the API key masked', async () => {
    const result = await stigmer(['server', 'logs', '--no-follow']);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(REPLICAS);
    const prefixed = new RegExp(
      `^${name}\\.[1-3]@\\S+ \\([a-z0-9]{12}\\) \\| runner up on \\S+ with key \\*\\*\\*$`,
    );
    for (const line of lines) expect(line).toMatch(prefixed);
    expect(result.stdout).not.toContain(apiKey);
  });

  it('leaves an unchanged service alone: already running', async () => {
    const outcome = await json(['server', 'start']);
    expect(outcome.action).toBe('already-running');
    expect(outcome.deployment.image).toBe(currentImage);
  });

  it('server restart rolls every task onto a new one, with the same image', async () => {
    const before = new Set((await runningTasks()).map((t) => t.ID));
    const outcome = await json(['server', 'restart']);
    expect(outcome.action).toBe('updated');
    const after = await runningTasks();
    expect(after).toHaveLength(REPLICAS);
    for (const task of after) {
      expect(before.has(task.ID)).toBe(false);
      expect(task.Spec.ContainerSpec.Image).toBe(currentImage);
    }
  });

  it('a changed API key rolls the service onto a new Swarm secret and removes the old one', async () => {
    const old = await manager.listSecrets({ filters: { label: [`org.stigmer.swarm.service=${name}`] } });
    expect(old).toHaveLength(1);
    apiKey = newKey();
    const outcome = await json(['server', 'start']);
    expect(outcome.action).toBe('updated');
    expect(outcome.differences).toContain('the value of a secret variable changed');
    expect(JSON.stringify(outcome)).not.toContain(apiKey);
    const now = await manager.listSecrets({ filters: { label: [`org.stigmer.swarm.service=${name}`] } });
    expect(now).toHaveLength(1);
    expect(now[0]?.ID).not.toBe(old[0]?.ID);
    // The replaced tasks' containers are stopped on their nodes as the update goes; wait for the last.
    const containers = await until('only the new containers running', async () => {
      const running = await serviceContainers();
      return running.length === REPLICAS ? running : undefined;
    });
    for (const container of containers)
      expect(await environmentOf(container)).toContain(`ANTHROPIC_API_KEY=${apiKey}`);
  });

  it('rolls a new image out start-first, one task at a time, with a running task at every moment', async () => {
    await useImage(imageB);
    let polling = true;
    let fewest = Number.POSITIVE_INFINITY;
    let looks = 0;
    const poller = (async () => {
      while (polling) {
        fewest = Math.min(fewest, (await runningTasks()).length);
        looks++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const outcome = await json(['server', 'start']).finally(() => {
      polling = false;
    });
    await poller;
    expect(outcome.action).toBe('updated');
    expect(outcome.differences.join('\n')).toContain('image:');
    expect(outcome.deployment.image).not.toBe(currentImage);
    expect(looks).toBeGreaterThan(5);
    expect(fewest).toBeGreaterThanOrEqual(1);
    const running = await runningTasks();
    expect(running).toHaveLength(REPLICAS);
    for (const task of running) expect(task.Spec.ContainerSpec.Image).toBe(outcome.deployment.image);
    currentImage = outcome.deployment.image;
  });

  it('rolls a failing image back and reports which tasks failed and why', async () => {
    await useImage(broken);
    const result = await stigmer(['server', 'start', '--json']);
    expect(result.exitCode).not.toBe(0);
    const answer = JSON.parse(result.stdout || result.stderr);
    expect(answer.error.code).toBe('SERVER_START_FAILED');
    expect(answer.error.message).toContain('rolled it back');
    expect(answer.error.details.failures.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(answer.error.details.failures)).toMatch(/non-zero exit|no such file|not found/i);
    const running = await runningTasks();
    expect(running).toHaveLength(REPLICAS);
    for (const task of running) expect(task.Spec.ContainerSpec.Image).toBe(currentImage);
    await useImage(imageB);
  });

  it('reschedules the task of a node whose engine died onto the other nodes', async () => {
    const third = { ID: (await nodeIds())[2] };
    await lab?.killNode(2);
    const rescheduled = await until('three running tasks on the live nodes', async () => {
      const running = await runningTasks();
      return running.length === REPLICAS && running.every((t) => t.NodeID !== third?.ID)
        ? running
        : undefined;
    });
    expect(new Set(rescheduled.map((t) => t.NodeID)).size).toBe(2);
    const status = await json(['server', 'status']);
    expect(status.deployment.running).toBe(REPLICAS);
  });

  it('stop removes the service, its secrets and its containers on every live node', async () => {
    const outcome = await json(['server', 'stop']);
    expect(outcome.removed).toContain(`service ${name}`);
    const gone = await manager
      .getService(name)
      .inspect()
      .catch((e: { statusCode?: number }) => e.statusCode);
    expect(gone).toBe(404);
    const secrets = await manager.listSecrets({ filters: { label: [`org.stigmer.swarm.service=${name}`] } });
    expect(secrets).toEqual([]);
    // The live nodes stopped their runners before stop returned; each engine then removes the containers of the removed tasks.
    const filters = { label: [`com.docker.swarm.service.name=${name}`] };
    for (const node of lab?.nodes.slice(0, 2) ?? []) {
      expect(await node.listContainers({ filters })).toEqual([]);
      await until('the containers removed', async () =>
        (await node.listContainers({ all: true, filters })).length === 0 ? true : undefined,
      );
    }
    const status = await json(['server', 'status']);
    expect(status.state).toBe('not-found');
  });
});
