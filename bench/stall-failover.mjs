// A mirror that takes blob requests and never answers (a pull-through cache
// waiting on its upstream), a healthy origin, `pull.stallTimeout` 3s: how long
// `stigmer image pull` (the registry plugin, mirror first) takes to get the
// image from the origin, against the bound issue 9 sets: the stall timeout
// plus the origin's own pull time (`docker pull` from the origin, measured in
// the same run) plus a few seconds. Each round has a mirror of its own, stopped
// afterwards, so that its hung connections end as a network's eventually would.
// Everything is local: the image is built here, the registries are Debian's
// docker-registry on 127.0.0.1, the silent mirror a small proxy (silent-mirror.mjs).
// stigmer runs on Node.js 22 and 24, each with NODE_EXTRA_CA_CERTS unset and set.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildAndPush,
  median,
  onVariant,
  startRegistry,
  table,
  timeOnce,
  variants,
  writeProject,
} from './lib.mjs';

const bin = fileURLToPath(new URL('../packages/cli/bin/stigmer.js', import.meta.url));
const runs = Number(process.env.STIGMER_BENCH_FAILOVER_RUNS ?? 5);
const totalMb = Number(process.env.STIGMER_BENCH_FAILOVER_MB ?? 100);
const layers = 4;
const stallMs = 3000;
const localTag = 'stigmer-bench/failover:local';

/**
 * The silent mirror (silent-mirror.mjs) in front of `upstream`, in a process
 * of its own (a timed command blocks this one). Stopping it closes every
 * connection it held, so no hung engine transfer outlives a run.
 */
async function silentMirror(upstream) {
  const script = fileURLToPath(new URL('./silent-mirror.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, upstream], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await once(child.stdout, 'data');
  return {
    host: line.toString().trim(),
    stop: async () => {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
  };
}

const work = mkdtempSync(path.join(tmpdir(), 'stigmer-bench-failover-'));
const origin = await startRegistry(work);
const name = `${origin.host}/stigmer/agent-runner`;
const reference = `${name}:failover`;
const removeImage = () => spawnSync('docker', ['rmi', '-f', reference, localTag], { stdio: 'ignore' });
try {
  console.log(`building a ${totalMb} MB image of ${layers} layers and pushing it to ${origin.host}...`);
  buildAndPush(work, reference, { totalMb, layers, seed: 'stigmer-bench-failover' });
  const columns = variants();
  const stigmerName = 'stigmer image pull (silent mirror, then origin)';
  const times = { docker: [], ...Object.fromEntries(columns.map((v) => [v.id, []])) };
  const beyond = Object.fromEntries(columns.map((v) => [v.id, []]));
  for (let round = 0; round < runs + 1; round++) {
    removeImage();
    const docker = timeOnce({ cmd: 'docker', args: ['pull', '-q', reference], cwd: work });
    // The first round warms the engine and the file cache up: not counted.
    if (round > 0) times.docker.push(docker);
    for (const variant of columns) {
      // A new mirror (and so a new host) each run: no cool-down, no hung transfer carries over.
      const mirror = await silentMirror(origin.host);
      const dir = path.join(work, `project-${round}-${columns.indexOf(variant)}`);
      const project = writeProject(dir, {
        image: { localTag },
        pull: { stallTimeout: `${stallMs}ms` },
        server: { dataDir: path.join(dir, 'data') },
        plugins: [
          [
            'registry',
            {
              image: name,
              tag: 'failover',
              mirrors: [{ match: name, rewrite: `${mirror.host}/stigmer/agent-runner` }],
            },
          ],
        ],
      });
      removeImage();
      const stigmer = timeOnce({
        cmd: variant.node,
        args: [bin, 'image', 'pull', '--quiet'],
        env: variant.env,
        cwd: project,
      });
      await mirror.stop();
      spawnSync('docker', ['rmi', '-f', `${mirror.host}/stigmer/agent-runner:failover`], { stdio: 'ignore' });
      if (round > 0) {
        times[variant.id].push(stigmer);
        beyond[variant.id].push(stigmer - stallMs - docker);
      }
    }
  }
  const results = { 'docker pull from the origin': { median: median(times.docker), runs } };
  for (const variant of columns) {
    results[onVariant(stigmerName, variant)] = { median: median(times[variant.id]), runs };
  }
  table(
    `Failover from a silent mirror to the origin: a ${totalMb} MB, ${layers}-layer image, pull.stallTimeout ${stallMs / 1000}s; median ms and ratio to docker pull from the origin (${results['docker pull from the origin'].median.toFixed(0)} ms), ${runs} runs`,
    results,
    { rows: [stigmerName], variants: columns, baseline: () => 'docker pull from the origin' },
  );
  for (const variant of columns) {
    console.log(
      `  Node ${variant.version} CA ${variant.ca}: beyond the stall timeout and the origin's own pull, median ${(median(beyond[variant.id]) / 1000).toFixed(2)} s`,
    );
  }
  console.log('  target: a few seconds beyond the stall timeout and the origin pull');
  removeImage();
} finally {
  origin.child.kill();
  rmSync(work, { recursive: true, force: true });
}
