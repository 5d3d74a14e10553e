import type { ImageHealthcheck } from '@stigmer/core';

/** A Kubernetes exec probe, as the core/v1 `Probe` schema spells it. */
export interface Probe {
  exec: { command: string[] };
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  successThreshold?: number;
}

/** The probes a HEALTHCHECK becomes; `startup` only when it has a start period. */
export interface Probes {
  liveness: Probe;
  readiness: Probe;
  startup?: Probe;
}

const SECOND_NS = 1_000_000_000;
// Docker's defaults for what a HEALTHCHECK leaves out (docker run --help, Engine API).
const DEFAULT_INTERVAL_S = 30;
const DEFAULT_TIMEOUT_S = 30;
const DEFAULT_RETRIES = 3;
/** Docker's default `--start-interval` (engines of API 1.44+). */
const DEFAULT_START_INTERVAL_S = 5;

/** Whole seconds, rounded up (Kubernetes counts in seconds, 1 at least); the default when unset. */
function seconds(ns: number | undefined, fallback: number): number {
  return ns === undefined ? fallback : Math.max(1, Math.ceil(ns / SECOND_NS));
}

/**
 * The command a HEALTHCHECK runs, as an exec probe runs it: `CMD` runs its
 * arguments as they are; `CMD-SHELL` runs its one string through `/bin/sh
 * -c`, as Docker does on Linux. Undefined for a test Docker would not run.
 */
export function probeCommand(test: readonly string[]): string[] | undefined {
  const [kind, ...rest] = test;
  if (kind === 'CMD' && rest.length > 0) return [...rest];
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}

/**
 * Docker's HEALTHCHECK as Kubernetes probes. Docker keeps one status from
 * one check: `retries` failures in a row (each over `timeout` or exiting
 * non-zero), checked every `interval`, make it unhealthy. So liveness and
 * readiness are the same check with the same period, timeout and threshold
 * (readiness turns ready on one success, as a Docker container turns healthy).
 * Failures in Docker's start period do not count; Kubernetes says that with a
 * startup probe, checked every start interval, which allows the start period
 * and then `retries` more failures before liveness takes over.
 */
export function probesFrom(check: ImageHealthcheck): Probes | undefined {
  const command = probeCommand(check.test);
  if (!command) return undefined;
  const periodSeconds = seconds(check.intervalNs, DEFAULT_INTERVAL_S);
  const timeoutSeconds = seconds(check.timeoutNs, DEFAULT_TIMEOUT_S);
  const failureThreshold = check.retries ?? DEFAULT_RETRIES;
  const probe = (): Probe => ({
    exec: { command: [...command] },
    periodSeconds,
    timeoutSeconds,
    failureThreshold,
  });
  const probes: Probes = { liveness: probe(), readiness: { ...probe(), successThreshold: 1 } };
  if (check.startPeriodNs !== undefined) {
    const startPeriod = seconds(check.startPeriodNs, 0);
    const every = seconds(check.startIntervalNs, Math.min(DEFAULT_START_INTERVAL_S, periodSeconds));
    probes.startup = {
      exec: { command: [...command] },
      periodSeconds: every,
      timeoutSeconds,
      failureThreshold: Math.ceil(startPeriod / every) + failureThreshold,
    };
  }
  return probes;
}
