// Shared helpers for the benchmarks: run commands alternately, report medians and ratios.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { NODE_LINES, nodeBinary } from '../scripts/node-lines.mjs';

/**
 * Makes `dir` a project of its own: a package.json stops the config search
 * there, and `config` (an object, written as JSON) becomes its .stigmerrc.
 * Returns `dir`.
 */
export function writeProject(dir, config) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{}');
  writeFileSync(path.join(dir, '.stigmerrc'), JSON.stringify(config));
  return dir;
}

/** The environment the agent-runner plugin gives the container by default, as flags for docker's own commands. */
export const AGENT_RUNNER_ENV = Object.freeze({
  MODE: 'local',
  STIGMER_BACKEND_ENDPOINT: 'localhost:7234',
  TEMPORAL_SERVICE_ADDRESS: 'localhost:7233',
  TEMPORAL_NAMESPACE: 'default',
  TASK_QUEUE: 'agent_execution_runner',
  SANDBOX_TYPE: 'filesystem',
  WORKSPACE_ROOT: '/workspace',
  LOG_LEVEL: 'DEBUG',
});

/** Debian's CA bundle: what NODE_EXTRA_CA_CERTS names on CI's machines. */
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/**
 * The Node.js and environments every case runs on: each LTS line
 * (scripts/node-lines.mjs: 22 and 24, from the npm registry) with
 * NODE_EXTRA_CA_CERTS unset, as on a user's machine, and set, as CI's
 * environment has it (this process's value, else Debian's CA bundle).
 * STIGMER_BENCH_NODE=24 or STIGMER_BENCH_CA=unset narrow the set.
 * Each is `{ id, line, node, version, ca, env }`; `env` unsets with undefined.
 */
export function variants() {
  const caFile = process.env.NODE_EXTRA_CA_CERTS || (existsSync(CA_BUNDLE) ? CA_BUNDLE : undefined);
  const lines = process.env.STIGMER_BENCH_NODE?.split(',') ?? NODE_LINES;
  const cas = process.env.STIGMER_BENCH_CA?.split(',') ?? ['unset', 'set'];
  const found = [];
  for (const line of lines) {
    const node = nodeBinary(line);
    const version = execFileSync(node, ['--version']).toString().trim();
    for (const ca of cas) {
      if (ca === 'set' && !caFile) continue;
      const env = { NODE_EXTRA_CA_CERTS: ca === 'set' ? caFile : undefined };
      found.push({ id: `${version} CA ${ca}`, line, node, version, ca, env });
    }
  }
  return found;
}

/** `base` with `changes` applied; an undefined value removes the variable. */
function mergeEnv(base, changes = {}) {
  const env = { ...base, ...changes };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env;
}

/** Median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Wall time of one run in ms; throws if the command does not exit with
 * `status` (default 0), so a broken command is never timed. `onRun(ms,
 * stdout)`, when the case has one, sees every run's output.
 */
export function timeOnce({ cmd, args, env, cwd, status = 0, onRun }) {
  const started = performance.now();
  const result = spawnSync(cmd, args, {
    env: mergeEnv(process.env, env),
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = performance.now() - started;
  if (result.status !== status) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${result.status}, not ${status}: ${result.stderr}`);
  }
  onRun?.(ms, result.stdout.toString());
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
      const ms = timeOnce(round >= warmup ? c : { ...c, onRun: undefined });
      if (round >= warmup) times[c.name].push(ms);
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([name, t]) => [name, { median: median(t), runs: t.length }]),
  );
}

/** The name `compare` knows a case by when it runs on `variant`. */
export const onVariant = (name, variant) => `${name} @ ${variant.id}`;

/**
 * Prints one table: a row per case, a column per variant, each cell the
 * median in ms and its ratio to `baseline(variant)` (a case name, looked up
 * on that variant, or in `results` as it is), `-` where a case did not run.
 */
export function table(title, results, { rows, variants: columns, baseline }) {
  const cell = 18;
  const width = Math.max(40, ...rows.map((row) => row.length));
  const lookup = (name, variant) => results[onVariant(name, variant)] ?? results[name];
  console.log(`\n${title}`);
  console.log(`  ${''.padEnd(width)}${columns.map((v) => `Node ${v.version}`.padStart(cell)).join('')}`);
  console.log(`  ${''.padEnd(width)}${columns.map((v) => `CA ${v.ca}`.padStart(cell)).join('')}`);
  for (const row of rows) {
    const cells = columns.map((variant) => {
      const found = lookup(row, variant);
      if (!found) return '-'.padStart(cell);
      const ratio = found.median / lookup(baseline(variant), variant).median;
      return `${found.median.toFixed(1).padStart(8)} ${`${ratio.toFixed(2)}x`.padStart(6)}`.padStart(cell);
    });
    console.log(`  ${row.padEnd(width)}${cells.join('')}`);
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
