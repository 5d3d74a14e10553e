// plugin-swarm on a real three-node swarm (scripts/swarm-nodes.sh) with a
// loopback registry, against the docker CLI doing the same by hand:
//   1. `stigmer server start` until 3 replicas run, against `docker service
//      create` of the same spec (same image by digest, already in the
//      registry; same env, mounts, network, restart, log and update settings);
//   2. a rolling update of 3 replicas to another image: `stigmer server start`
//      after the local tag moved, against `docker service update --image`.
// Both docker commands wait as the CLI does by default (until the tasks
// converged and stayed up for the update monitor period, 200 ms here);
// stigmer waits until every replica runs (create) or Swarm's UpdateStatus
// says completed (update). Targets (issue 16): ratio <= 1.2 for both. Every
// stigmer case runs on each Node.js line and CA setting (lib.mjs variants()).
// STIGMER_BENCH_SWARM_RUNS sets the number of runs (default 7).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AGENT_RUNNER_ENV,
  compare,
  ensureBusyboxImage,
  onVariant,
  sh,
  startRegistry,
  table,
  variants,
  writeProject,
} from './lib.mjs';

const bin = fileURLToPath(new URL('../packages/cli/bin/stigmer.js', import.meta.url));
const script = fileURLToPath(new URL('../scripts/swarm-nodes.sh', import.meta.url));
const runs = Number(process.env.STIGMER_BENCH_SWARM_RUNS ?? 7);
const REPLICAS = 3;
const MONITOR_MS = 200;
const prefix = `/run/swb${process.pid}-`;
const names = { stigmer: 'stigmer-bench-swarm', docker: 'stigmer-bench-swarm-docker' };
const loop = ['/bin/busybox', 'sh', '-c', 'while :; do /bin/busybox sleep 1; done'];
const columns = variants();

const work = mkdtempSync(path.join(tmpdir(), 'stigmer-bench-swarm-'));
const hosts = sh('bash', [script, 'start', prefix, '3', String(20000 + (process.pid % 20000))])
  .trim()
  .split('\n');
const manager = hosts[0];
const registry = await startRegistry(work);
const docker = (args) => sh('docker', args, { env: { ...process.env, DOCKER_HOST: manager } });

try {
  process.env.DOCKER_HOST = manager;
  // Two images, both pushed: the registry already has what the services run.
  const refs = {};
  for (const v of ['a', 'b']) {
    const tag = `stigmer-bench/swarm-${v}:1`;
    ensureBusyboxImage(tag, { cmd: [...loop, v] });
    const remote = `${registry.host}/stigmer/agent-runner:${v}`;
    docker(['tag', tag, remote]);
    docker(['push', '-q', remote]);
    refs[v] = { tag, digest: docker(['image', 'inspect', '-f', '{{index .RepoDigests 0}}', tag]).trim() };
  }
  const localTag = 'stigmer-bench/swarm-runner:local';
  const project = writeProject(path.join(work, 'project'), {
    image: { localTag },
    plugins: [
      'local-image',
      ['agent-runner', { hostNetwork: true }],
      [
        'swarm',
        {
          replicas: REPLICAS,
          registry: registry.host,
          update: { parallelism: 1, order: 'start-first', monitorMs: MONITOR_MS },
        },
      ],
    ],
    server: { containerName: names.stigmer, dataDir: path.join(work, 'data'), stopTimeout: '1s' },
  });
  // No API key in the environment: no secrets on either side.
  const stigmerEnv = (variant) => ({
    ...variant.env,
    DOCKER_HOST: manager,
    HOME: work,
    ANTHROPIC_API_KEY: undefined,
    OPENAI_API_KEY: undefined,
  });
  /** `stigmer ARGS` on every variant, as cases named `name @ variant`. */
  const stigmerCases = (name, args, extra = {}) =>
    columns.map((variant) => ({
      name: onVariant(name, variant),
      cmd: variant.node,
      args: [bin, ...args],
      env: stigmerEnv(variant),
      cwd: project,
      ...extra,
    }));
  const useImage = (v) => docker(['tag', refs[v].tag, localTag]);

  // What the agent-runner plugin builds, as `docker service create` flags.
  const env = AGENT_RUNNER_ENV;
  const serviceCreate = (image) => [
    'service',
    'create',
    '--quiet',
    '--name',
    names.docker,
    '--replicas',
    String(REPLICAS),
    '--network',
    'host',
    '--restart-condition',
    'any',
    '--restart-delay',
    '1s',
    '--stop-grace-period',
    '1s',
    '--update-parallelism',
    '1',
    '--update-order',
    'start-first',
    '--update-monitor',
    `${MONITOR_MS}ms`,
    '--update-failure-action',
    'rollback',
    '--log-driver',
    'json-file',
    '--log-opt',
    'max-size=10m',
    '--log-opt',
    'max-file=3',
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    '--mount',
    `type=volume,source=${names.docker}-workspace,target=/workspace`,
    '--mount',
    `type=volume,source=${names.docker}-artifacts,target=/artifacts`,
    image,
  ];

  /** Removes a service and waits until its containers are gone from every node. */
  const removeService = (name) => {
    spawnSync('docker', ['service', 'rm', name], {
      env: { ...process.env, DOCKER_HOST: manager },
      stdio: 'ignore',
    });
    for (let i = 0; i < 150; i++) {
      const left = hosts.some(
        (host) =>
          sh('docker', ['ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${name}`], {
            env: { ...process.env, DOCKER_HOST: host },
          }).trim() !== '',
      );
      if (!left) return;
      spawnSync('sleep', ['0.2']);
    }
  };

  useImage('a');
  const createBaseline = 'docker service create (3 replicas)';
  const createRow = 'stigmer server start (3 replicas)';
  const create = compare(
    [
      {
        name: createBaseline,
        cmd: 'docker',
        args: serviceCreate(refs.a.digest),
        env: { DOCKER_HOST: manager },
        cwd: project,
        service: names.docker,
      },
      ...stigmerCases(createRow, ['server', 'start'], { service: names.stigmer }),
    ],
    { runs, warmup: 1, before: (c) => removeService(c.service) },
  );
  table(
    `Swarm service start, 3 replicas on 3 nodes, image in the registry: median ms and ratio to docker service create (${create[createBaseline].median.toFixed(1)} ms), ${runs} interleaved runs`,
    create,
    { rows: [createRow], variants: columns, baseline: () => createBaseline },
  );
  console.log('  target: <= 1.20x');

  // Both services run image a now; each case moves its service to the other image every round.
  const updateBaseline = 'docker service update --image (3 replicas)';
  const updateRow = 'stigmer server start, new image (3 replicas)';
  const next = {};
  const update = compare(
    [
      {
        name: updateBaseline,
        cmd: 'docker',
        args: [],
        env: { DOCKER_HOST: manager },
        cwd: project,
        side: 'docker',
      },
      ...stigmerCases(updateRow, ['server', 'start'], { side: 'stigmer' }),
    ],
    {
      runs,
      warmup: 1,
      before: (c) => {
        const v = next[c.side] ?? 'b';
        next[c.side] = v === 'a' ? 'b' : 'a';
        if (c.side === 'docker')
          c.args = ['service', 'update', '--quiet', '--image', refs[v].digest, names.docker];
        else useImage(v);
      },
    },
  );
  table(
    `Swarm rolling update of 3 replicas, start-first, one at a time: median ms and ratio to docker service update --image (${update[updateBaseline].median.toFixed(1)} ms), ${runs} interleaved runs`,
    update,
    { rows: [updateRow], variants: columns, baseline: () => updateBaseline },
  );
  console.log('  target: <= 1.20x');

  // The part of stigmer's time that is not the rollout: the same command when
  // nothing changed (process start, config, plugins, chain, one look at the
  // service), and Node.js alone.
  const fixedBaseline = 'docker service ls';
  const fixed = compare(
    [
      {
        name: fixedBaseline,
        cmd: 'docker',
        args: ['service', 'ls'],
        env: { DOCKER_HOST: manager },
        cwd: project,
      },
      ...stigmerCases('stigmer server start, already running', ['server', 'start']),
      ...columns.map((variant) => ({
        name: onVariant('node -e 0', variant),
        cmd: variant.node,
        args: ['-e', '0'],
        env: variant.env,
        cwd: project,
      })),
    ],
    { runs, warmup: 1 },
  );
  table(
    `Fixed cost of one command against the swarm: median ms and ratio to docker service ls (${fixed[fixedBaseline].median.toFixed(1)} ms), ${runs} interleaved runs`,
    fixed,
    {
      rows: ['stigmer server start, already running', 'node -e 0'],
      variants: columns,
      baseline: () => fixedBaseline,
    },
  );
} finally {
  registry.child.kill();
  sh('bash', [script, 'stop', prefix, '3']);
  rmSync(work, { recursive: true, force: true });
}
