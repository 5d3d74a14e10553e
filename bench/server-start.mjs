// `stigmer server start` with the image present, against `docker run -d` with
// the same flags (both after removing the old container; stigmer's state file
// goes too, as `server stop` would leave it). Target (issue 4): at most 1.3x
// the median wall time of `docker run -d`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, ensureBusyboxImage, report } from './lib.mjs';

const bin = fileURLToPath(new URL('../packages/cli/bin/stigmer.js', import.meta.url));
const tag = process.env.STIGMER_BENCH_SERVER_TAG ?? 'stigmer-bench/agent-runner:server';
const runs = Number(process.env.STIGMER_BENCH_RUNS ?? 15);
const names = { stigmer: 'stigmer-bench-server', docker: 'stigmer-bench-docker' };
// The image's own command, as the real agent-runner image has one: a shell loop.
const loop = ['/bin/busybox', 'sh', '-c', 'while :; do /bin/busybox sleep 1; done'];

ensureBusyboxImage(tag, { cmd: loop });
const project = mkdtempSync(path.join(tmpdir(), 'stigmer-bench-server-'));
writeFileSync(path.join(project, 'package.json'), '{}');
// No config file: the default chain, set up from the environment as a user would.
// The image is local, so local-image answers; STIGMER_OFFLINE keeps ghcr from
// ever reaching ghcr.io should the image vanish mid-run.
const dataDir = path.join(project, 'data');
// STIGMER_SETTLE_TIME=0: `docker run -d` waits for nothing, and without a
// HEALTHCHECK stigmer would wait server.settleTime (3s) to see the container
// stay up. That wait is policy, not cost; this measures the cost.
const stigmerEnv = {
  STIGMER_LOCAL_TAG: tag,
  STIGMER_CONTAINER_NAME: names.stigmer,
  STIGMER_DATA_DIR: dataDir,
  STIGMER_OFFLINE: '1',
  STIGMER_SETTLE_TIME: '0',
};
// The same container by hand: the original CLI's `docker run -d` on Linux.
const dockerData = path.join(project, 'docker-data');
for (const dir of ['workspace', 'artifacts']) mkdirSync(path.join(dockerData, dir), { recursive: true });
const env = {
  MODE: 'local',
  STIGMER_BACKEND_ENDPOINT: 'localhost:7234',
  TEMPORAL_SERVICE_ADDRESS: 'localhost:7233',
  TEMPORAL_NAMESPACE: 'default',
  TASK_QUEUE: 'agent_execution_runner',
  SANDBOX_TYPE: 'filesystem',
  WORKSPACE_ROOT: '/workspace',
  LOG_LEVEL: 'DEBUG',
};
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
  {
    name: 'stigmer server start',
    cmd: process.execPath,
    args: [bin, 'server', 'start'],
    env: stigmerEnv,
    cwd: project,
    container: names.stigmer,
  },
  { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'], cwd: project },
];
try {
  const results = compare(cases, {
    runs,
    before: (c) => {
      if (!c.container) return;
      removeOld(c.container);
      // As `stigmer server stop` leaves it: no state file.
      rmSync(path.join(dataDir, 'agent-runner.json'), { force: true });
    },
  });
  report(
    `Server start with the image present, ${runs} interleaved runs each, Node ${process.version}`,
    results,
    'docker run -d',
  );
  const ratio = results['stigmer server start'].median / results['docker run -d'].median;
  console.log(`\n  stigmer server start / docker run -d = ${ratio.toFixed(2)}x (target <= 1.30x)`);
} finally {
  for (const name of Object.values(names)) removeOld(name);
  rmSync(project, { recursive: true, force: true });
}
