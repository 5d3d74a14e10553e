// `stigmer image pull` against `docker pull` of the same ~200 MB multi-layer image
// from a loopback registry, the image removed from the engine before every run.
// Targets (issue 3): median wall-time ratio <= 1.05; stigmer's peak RSS <= 100 MiB
// whatever the image size (the pull is streamed, never buffered).
// Everything is local: the image is built here from random bytes, the registry is
// Debian's docker-registry on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAndPush, compare, median, report, sh, startRegistry } from './lib.mjs';

const bin = fileURLToPath(new URL('../packages/cli/bin/stigmer.js', import.meta.url));
const probe = fileURLToPath(new URL('./rss-probe.cjs', import.meta.url));
const runs = Number(process.env.STIGMER_BENCH_PULL_RUNS ?? 7);
const totalMb = Number(process.env.STIGMER_BENCH_PULL_MB ?? 200);
const layers = 5;
const localTag = 'stigmer-bench/pull:local';

const work = mkdtempSync(path.join(tmpdir(), 'stigmer-bench-pull-'));
const registry = await startRegistry(work);
const reference = `${registry.host}/stigmer/agent-runner:bench`;
try {
  console.log(`building a ${totalMb} MB image of ${layers} layers and pushing it to ${registry.host}...`);
  buildAndPush(work, reference, { totalMb, layers });
  // Gone from the engine, layers included, so that every pull transfers them.
  const remove = () => spawnSync('docker', ['rmi', '-f', reference, localTag], { stdio: 'ignore' });
  remove();

  const project = path.join(work, 'project');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), '{}');
  writeFileSync(
    path.join(project, '.stigmerrc'),
    JSON.stringify({
      image: { localTag },
      plugins: [['ghcr', { registry: registry.host, repository: 'stigmer/agent-runner', tag: 'bench' }]],
    }),
  );
  const results = compare(
    [
      { name: 'docker pull', cmd: 'docker', args: ['pull', '-q', reference], cwd: project },
      {
        name: 'stigmer image pull',
        cmd: process.execPath,
        args: [bin, 'image', 'pull', '--quiet'],
        cwd: project,
      },
    ],
    { runs, warmup: 1, before: remove },
  );
  report(
    `Pull of a ${totalMb} MB, ${layers}-layer image from a loopback registry (image removed before each run)`,
    results,
    'docker pull',
  );
  const ratio = results['stigmer image pull'].median / results['docker pull'].median;
  console.log(`  ratio stigmer/docker: ${ratio.toFixed(3)} (target <= 1.05)`);

  // Where the difference goes: the pull itself (the ghcr plugin's call, from the
  // --json trace) against `docker pull`, and start-up (the rest of the wall time).
  const phases = [];
  for (let i = 0; i < 3; i++) {
    remove();
    const doc = JSON.parse(
      sh(process.execPath, [bin, 'image', 'pull', '--json', '--quiet'], { cwd: project }),
    );
    phases.push(doc.trace.find((e) => e.hook === 'resolveImage' && e.outcome === 'resolved').durationMs);
  }
  const pullPhase = median(phases);
  console.log(
    `  stigmer's pull phase (trace): median ${pullPhase.toFixed(1)} ms, ratio to docker pull ${(pullPhase / results['docker pull'].median).toFixed(3)}; start-up and the rest: ${(results['stigmer image pull'].median - pullPhase).toFixed(0)} ms`,
  );

  // Peak RSS: VmHWM read by the process itself as it exits (bench/rss-probe.cjs).
  const peaks = [];
  for (let i = 0; i < 3; i++) {
    remove();
    const file = path.join(work, `rss-${i}`);
    sh(process.execPath, ['-r', probe, bin, 'image', 'pull', '--quiet'], {
      cwd: project,
      env: { ...process.env, STIGMER_BENCH_RSS_FILE: file },
    });
    peaks.push(Number(readFileSync(file, 'utf8').trim()) / 1024);
  }
  console.log(
    `  stigmer peak RSS (VmHWM): median ${median(peaks).toFixed(1)} MiB, max ${Math.max(...peaks).toFixed(1)} MiB (target <= 100 MiB)`,
  );
  remove();
} finally {
  registry.child.kill();
  rmSync(work, { recursive: true, force: true });
}
