// `stigmer image pull` against `docker pull` of the same multi-layer image (50
// and 200 MB) from a loopback registry, the image removed from the engine before
// every run, on Node.js 22 and 24, each with NODE_EXTRA_CA_CERTS unset and set.
// Targets (issue 15): median wall-time ratio <= 1.10 at 50 MB, <= 1.05 at 200 MB;
// stigmer's peak RSS <= 100 MiB whatever the image size (the pull is streamed,
// never buffered).
// Everything is local: the image is built here from random bytes, the registry is
// Debian's docker-registry on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildAndPush,
  compare,
  median,
  onVariant,
  sh,
  startRegistry,
  table,
  variants,
  writeProject,
} from './lib.mjs';

const bin = fileURLToPath(new URL('../packages/cli/bin/stigmer.js', import.meta.url));
const probe = fileURLToPath(new URL('./rss-probe.cjs', import.meta.url));
const runs = Number(process.env.STIGMER_BENCH_PULL_RUNS ?? 5);
const sizes = (process.env.STIGMER_BENCH_PULL_MB ?? '50,200').split(',').map(Number);
const layers = 5;
const localTag = 'stigmer-bench/pull:local';

const work = mkdtempSync(path.join(tmpdir(), 'stigmer-bench-pull-'));
const registry = await startRegistry(work);
const columns = variants();
try {
  for (const totalMb of sizes) benchSize(totalMb);
} finally {
  registry.child.kill();
  rmSync(work, { recursive: true, force: true });
}

/** The ghcr plugin's resolveImage call in a `--json` document's trace: the pull itself. */
function pullPhase(stdout) {
  return JSON.parse(stdout).trace.find((e) => e.hook === 'resolveImage' && e.outcome === 'resolved')
    .durationMs;
}

/** Builds a `totalMb` image of `layers` layers, pushes it, and compares the pulls. */
function benchSize(totalMb) {
  const reference = `${registry.host}/stigmer/agent-runner:bench-${totalMb}`;
  console.log(`\nbuilding a ${totalMb} MB image of ${layers} layers and pushing it to ${registry.host}...`);
  buildAndPush(work, reference, { totalMb, layers, seed: `stigmer-bench-${totalMb}` });
  // Gone from the engine, layers included, so that every pull transfers them.
  const remove = () => spawnSync('docker', ['rmi', '-f', reference, localTag], { stdio: 'ignore' });
  remove();

  const project = writeProject(path.join(work, `project-${totalMb}`), {
    image: { localTag },
    plugins: [
      ['ghcr', { registry: registry.host, repository: 'stigmer/agent-runner', tag: `bench-${totalMb}` }],
    ],
  });
  // Where the time goes, from the same runs: the pull itself (from the --json
  // trace) and the rest of the wall time (start-up, the engine calls around it).
  const rest = Object.fromEntries(columns.map((v) => [v.id, []]));
  const phases = Object.fromEntries(columns.map((v) => [v.id, []]));
  const cases = [{ name: 'docker pull', cmd: 'docker', args: ['pull', '-q', reference], cwd: project }];
  for (const variant of columns) {
    cases.push({
      name: onVariant('stigmer image pull', variant),
      cmd: variant.node,
      args: [bin, 'image', 'pull', '--json', '--quiet'],
      env: variant.env,
      cwd: project,
      onRun: (ms, stdout) => {
        phases[variant.id].push(pullPhase(stdout));
        rest[variant.id].push(ms - pullPhase(stdout));
      },
    });
  }
  const results = compare(cases, { runs, warmup: 1, before: remove });
  const docker = results['docker pull'].median;
  table(
    `Pull of a ${totalMb} MB, ${layers}-layer image from a loopback registry: median ms and ratio to docker pull (${docker.toFixed(0)} ms), ${runs} interleaved runs`,
    results,
    { rows: ['stigmer image pull'], variants: columns, baseline: () => 'docker pull' },
  );
  for (const variant of columns) {
    const pull = median(phases[variant.id]);
    console.log(
      `  Node ${variant.version} CA ${variant.ca}: the pull itself ${pull.toFixed(0)} ms (${(pull / docker).toFixed(3)}x docker pull), the rest ${median(rest[variant.id]).toFixed(0)} ms`,
    );
  }

  // Peak RSS on each Node.js: VmHWM read by the process itself as it exits (bench/rss-probe.cjs).
  for (const variant of columns.filter((v) => v.ca === columns[0].ca)) {
    const peaks = [];
    for (let i = 0; i < 3; i++) {
      remove();
      const file = path.join(work, `rss-${i}`);
      sh(variant.node, ['-r', probe, bin, 'image', 'pull', '--quiet'], {
        cwd: project,
        env: { ...process.env, ...variant.env, STIGMER_BENCH_RSS_FILE: file },
      });
      peaks.push(Number(readFileSync(file, 'utf8').trim()) / 1024);
    }
    console.log(
      `  Node ${variant.version}: peak RSS (VmHWM) median ${median(peaks).toFixed(1)} MiB, max ${Math.max(...peaks).toFixed(1)} MiB`,
    );
  }
  console.log(`  targets: <= ${totalMb <= 50 ? '1.10' : '1.05'}x docker pull; peak RSS <= 100 MiB`);
  remove();
  spawnSync('docker', ['rmi', '-f', reference], { stdio: 'ignore' });
}
