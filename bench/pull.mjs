// `stigmer image pull` against `docker pull` of the same ~200 MB multi-layer image
// from a loopback registry, the image removed from the engine before every run.
// Targets (issue 3): median wall-time ratio <= 1.05; stigmer's peak RSS <= 100 MiB
// whatever the image size (the pull is streamed, never buffered).
// Everything is local: the image is built here from random bytes, the registry is
// Debian's docker-registry on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, median, report } from './lib.mjs';

const bin = fileURLToPath(new URL('../packages/cli/bin/stigmer.js', import.meta.url));
const probe = fileURLToPath(new URL('./rss-probe.cjs', import.meta.url));
const runs = Number(process.env.STIGMER_BENCH_PULL_RUNS ?? 7);
const totalMb = Number(process.env.STIGMER_BENCH_PULL_MB ?? 200);
const layers = 5;
const localTag = 'stigmer-bench/pull:local';

function sh(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.toString();
}

/** Deterministic, incompressible bytes: a layer is as large on the wire as on disk. */
function filler(seed, size) {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRegistry(dir) {
  const port = await freePort();
  const config = path.join(dir, 'registry.yml');
  writeFileSync(
    config,
    JSON.stringify({
      version: '0.1',
      log: { level: 'error', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: path.join(dir, 'storage') }, delete: { enabled: true } },
      http: { addr: `127.0.0.1:${port}` },
    }),
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/v2/`)).ok) return { host: `127.0.0.1:${port}`, child };
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill();
  throw new Error('docker-registry did not start');
}

const work = mkdtempSync(path.join(tmpdir(), 'stigmer-bench-pull-'));
const registry = await startRegistry(work);
const reference = `${registry.host}/stigmer/agent-runner:bench`;
try {
  // A FROM scratch image of `layers` layers, built by the engine (no network).
  const context = path.join(work, 'context');
  mkdirSync(context);
  const lines = ['FROM scratch'];
  for (let i = 0; i < layers; i++) {
    mkdirSync(path.join(context, `layer-${i}`));
    writeFileSync(
      path.join(context, `layer-${i}`, 'data.bin'),
      filler(`stigmer-bench-${i}`, Math.floor((totalMb * 1_000_000) / layers)),
    );
    lines.push(`COPY layer-${i}/ /layer-${i}/`);
  }
  writeFileSync(path.join(context, 'Dockerfile'), `${lines.join('\n')}\n`);
  console.log(`building a ${totalMb} MB image of ${layers} layers and pushing it to ${registry.host}...`);
  sh('docker', ['build', '-q', '-t', reference, context], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  sh('docker', ['push', '-q', reference]);
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
