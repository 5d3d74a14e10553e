// `stigmer server start` with the image present, against `docker run -d` with
// the same flags (both after removing the old container; stigmer's state file
// goes too, as `server stop` would leave it), on Node.js 22 and 24, each with
// NODE_EXTRA_CA_CERTS unset and set. Target (issue 15): at most 1.3x the
// median wall time of `docker run -d`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_RUNNER_ENV, compare, ensureBusyboxImage, onVariant, table, variants } from './lib.mjs';

const bin = fileURLToPath(new URL('../packages/cli/bin/stigmer.js', import.meta.url));
const tag = process.env.STIGMER_BENCH_SERVER_TAG ?? 'stigmer-bench/agent-runner:server';
const runs = Number(process.env.STIGMER_BENCH_RUNS ?? 15);
const columns = variants();
// One container (and data folder) per Node.js and environment, so each case removes only its own.
const names = {
  docker: 'stigmer-bench-docker',
  ...Object.fromEntries(columns.map((v, i) => [v.id, `stigmer-bench-server-${i}`])),
};
// The image's own command, as the real agent-runner image has one: a shell loop.
const loop = ['/bin/busybox', 'sh', '-c', 'while :; do /bin/busybox sleep 1; done'];

ensureBusyboxImage(tag, { cmd: loop });
const project = mkdtempSync(path.join(tmpdir(), 'stigmer-bench-server-'));
writeFileSync(path.join(project, 'package.json'), '{}');
// No config file: the default chain, set up from the environment as a user would.
// The image is local, so local-image answers; STIGMER_OFFLINE keeps ghcr from
// ever reaching ghcr.io should the image vanish mid-run.
// STIGMER_SETTLE_TIME=0: `docker run -d` waits for nothing, and without a
// HEALTHCHECK stigmer would wait server.settleTime (3s) to see the container
// stay up. That wait is policy, not cost; this measures the cost.
const stigmerEnv = (variant) => ({
  STIGMER_LOCAL_TAG: tag,
  STIGMER_CONTAINER_NAME: names[variant.id],
  STIGMER_DATA_DIR: path.join(project, `data-${names[variant.id]}`),
  STIGMER_OFFLINE: '1',
  STIGMER_SETTLE_TIME: '0',
  ...variant.env,
});
// The same container by hand: the original CLI's `docker run -d` on Linux.
const dockerData = path.join(project, 'docker-data');
for (const dir of ['workspace', 'artifacts']) mkdirSync(path.join(dockerData, dir), { recursive: true });
const env = AGENT_RUNNER_ENV;
const dockerRun = [
  'run',
  '-d',
  '--name',
  names.docker,
  '--restart',
  'unless-stopped',
  '--network',
  'host',
  ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
  '-v',
  `${dockerData}/workspace:/workspace`,
  '-v',
  `${dockerData}/artifacts:/artifacts`,
  '--log-driver',
  'json-file',
  '--log-opt',
  'max-size=10m',
  '--log-opt',
  'max-file=3',
  tag,
];

const removeOld = (name) => spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
const cases = [
  { name: 'docker run -d', cmd: 'docker', args: dockerRun, cwd: project, container: names.docker },
];
for (const variant of columns) {
  cases.push(
    {
      name: onVariant('stigmer server start', variant),
      cmd: variant.node,
      args: [bin, 'server', 'start'],
      env: stigmerEnv(variant),
      cwd: project,
      container: names[variant.id],
      dataDir: stigmerEnv(variant).STIGMER_DATA_DIR,
    },
    {
      name: onVariant('node -e 0', variant),
      cmd: variant.node,
      args: ['-e', '0'],
      env: variant.env,
      cwd: project,
    },
  );
}
try {
  const results = compare(cases, {
    runs,
    before: (c) => {
      if (!c.container) return;
      removeOld(c.container);
      // As `stigmer server stop` leaves it: no state file.
      if (c.dataDir) rmSync(path.join(c.dataDir, 'agent-runner.json'), { force: true });
    },
  });
  table(
    `Server start with the image present: median ms and ratio to docker run -d (${results['docker run -d'].median.toFixed(1)} ms), ${runs} interleaved runs`,
    results,
    { rows: ['stigmer server start', 'node -e 0'], variants: columns, baseline: () => 'docker run -d' },
  );
  console.log('  target: stigmer server start <= 1.30x');
} finally {
  for (const name of Object.values(names)) removeOld(name);
  rmSync(project, { recursive: true, force: true });
}
