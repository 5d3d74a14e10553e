// Shared helpers for the benchmarks: run commands alternately, report medians and ratios.
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/** Median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Wall time of one run in ms; throws if the command does not exit with
 * `status` (default 0), so a broken command is never timed.
 */
export function timeOnce({ cmd, args, env, cwd, status = 0 }) {
  const started = performance.now();
  const result = spawnSync(cmd, args, {
    env: { ...process.env, ...env },
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = performance.now() - started;
  if (result.status !== status) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${result.status}, not ${status}: ${result.stderr}`);
  }
  return ms;
}

/**
 * Runs every case `runs` times, interleaved (a, b, c, a, b, c...) so that
 * machine noise hits all cases alike, after `warmup` untimed rounds.
 */
export function compare(cases, { runs = 21, warmup = 3, before } = {}) {
  const times = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (const c of cases) {
      before?.(c);
      const ms = timeOnce(c);
      if (round >= warmup) times[c.name].push(ms);
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([name, t]) => [name, { median: median(t), runs: t.length }]),
  );
}

/** Prints a table of medians and ratios against `baseline`. */
export function report(title, results, baseline) {
  console.log(`\n${title}`);
  const base = results[baseline].median;
  const width = Math.max(44, ...Object.keys(results).map((name) => name.length));
  for (const [name, { median: m, runs }] of Object.entries(results)) {
    console.log(
      `  ${name.padEnd(width)} median ${m.toFixed(1).padStart(7)} ms  ratio ${(m / base).toFixed(2)}x  (${runs} runs)`,
    );
  }
}

/**
 * A tiny local image under `tag`, made from the static busybox (no network),
 * unless the engine has it already. `cmd`, when given, becomes its CMD.
 */
export function ensureBusyboxImage(tag, { cmd } = {}) {
  if (spawnSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' }).status === 0) return;
  const root = mkdtempSync(path.join(tmpdir(), 'stigmer-bench-rootfs-'));
  const change = cmd ? `--change 'CMD ${JSON.stringify(cmd)}' ` : '';
  const made = spawnSync(
    'bash',
    [
      '-c',
      `mkdir -p "${root}/bin" && cp /bin/busybox "${root}/bin/" && tar -C "${root}" -c . | docker import ${change}- ${tag}`,
    ],
    { stdio: 'inherit' },
  );
  if (made.status !== 0)
    throw new Error(`could not create ${tag}: is a Docker engine running and busybox-static installed?`);
}

/** Runs a command to its end; throws with its stderr when it fails. */
export function sh(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.toString();
}

/** Deterministic, incompressible bytes: a layer is as large on the wire as on disk. */
export function filler(seed, size) {
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

/** Debian's docker-registry on a free loopback port, storing under `dir`; `child` is the process. */
export async function startRegistry(dir) {
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

/**
 * Builds a FROM scratch image of `layers` layers of incompressible bytes
 * (`totalMb` in all) under `reference` with the engine (no network), pushes
 * it, and leaves it in the engine (callers remove it before timing a pull).
 */
export function buildAndPush(work, reference, { totalMb, layers, seed = 'stigmer-bench' }) {
  const context = path.join(work, `context-${seed}`);
  mkdirSync(context);
  const lines = ['FROM scratch'];
  for (let i = 0; i < layers; i++) {
    mkdirSync(path.join(context, `layer-${i}`));
    writeFileSync(
      path.join(context, `layer-${i}`, 'data.bin'),
      filler(`${seed}-${i}`, Math.floor((totalMb * 1_000_000) / layers)),
    );
    lines.push(`COPY layer-${i}/ /layer-${i}/`);
  }
  writeFileSync(path.join(context, 'Dockerfile'), `${lines.join('\n')}\n`);
  sh('docker', ['build', '-q', '-t', reference, context], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  sh('docker', ['push', '-q', reference]);
}
