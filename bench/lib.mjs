// Shared helpers for the benchmarks: run commands alternately, report medians and ratios.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
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
