import { createHash } from 'node:crypto';
import type { ContainerSpec } from '../engine/types.js';
import { ServerError } from '../errors.js';
import type { HookName } from '../hooks.js';
import type { ResolvedImage } from '../image/types.js';
import { resolveImage } from '../pipeline/resolve.js';
import { requestFor, type Session } from '../session.js';
import { type LifecycleOptions, lockFor, serverPlace } from './context.js';
import {
  type fingerprint,
  fingerprintDifferences,
  fingerprintHash,
  parseFingerprint,
} from './fingerprint.js';
import { LABELS } from './labels.js';
import type {
  RuntimeDeployment,
  RuntimeLogs,
  RuntimeLookup,
  RuntimeRollout,
  RuntimeStopped,
  RuntimeTarget,
} from './runtime-types.js';
import { effectiveSpec } from './spec.js';
import { bothSettled, type StartOptions } from './start.js';
import type { StopRequest } from './types.js';
import { redactSpec } from './view.js';

/**
 * The label that tells a runtime deployment's secrets apart without holding
 * them: a truncated hash of the secret values, so that a changed API key
 * rolls the deployment although the spec (secrets left out) is the same.
 */
export const SECRETS_LABEL = 'org.stigmer.secrets-hash';

/** True when a plugin runs the agent-runner (it taps the runtime hooks); otherwise core's container runtime does. */
export function hasRuntimePlugin(session: Session): boolean {
  return session.pipeline.isTapped('runtimeCreate');
}

/** What `startOnRuntime` did. */
export interface RuntimeStartOutcome {
  runtime: string;
  /** `updated`: a rolling update to the new spec; `rolled-back`: it failed and the runtime went back. */
  action: 'started' | 'updated' | 'rolled-back' | 'already-running';
  dataDir: string;
  image: ResolvedImage;
  /** The effective spec, secret values replaced. */
  spec: ContainerSpec;
  specHash: string;
  deployment: RuntimeDeployment;
  /** What differed from the deployment that was updated. */
  differences: string[];
  /** Units that failed during the rollout, with the runtime's reason. */
  failures: RuntimeRollout['failures'];
}

/**
 * `stigmer server start` on a runtime plugin. Under the lifecycle lock:
 * resolve the image (side by side with `runtimeFind`), run `beforeStart`
 * and the `containerSpec` waterfall as for a container, add core's labels,
 * then: same image, spec and secrets → already running (unless `restart` is
 * `always`; the runtime reconciles replicas that do not run); found with a difference → `runtimeUpdate` (a rolling update,
 * no `--restart` needed: rolling is how a service changes); nothing →
 * `runtimeCreate`. A rollout the runtime rolled back fails with
 * `SERVER_START_FAILED` naming the failed units.
 */
export async function startOnRuntime(session: Session, options: StartOptions): Promise<RuntimeStartOutcome> {
  const { pipeline, settings } = session;
  const place = serverPlace(session);
  await session.engine.connect();
  const lock = await lockFor(place, 'server start', options);
  try {
    const target = targetOf(session, options);
    const [image, lookup] = await bothSettled(
      resolveImage(pipeline, requestFor(session, 'resolve')),
      ask<RuntimeLookup>(session, 'runtimeFind', target),
    );
    options.onEvent?.({ type: 'resolved', image });
    const existing = lookup.found;
    await pipeline.call('beforeStart', {
      image,
      containerName: place.containerName,
      dataDir: place.dataDir,
      existing: existing
        ? { id: existing.id, state: existing.running > 0 ? 'running' : 'created' }
        : undefined,
    });
    const built = await effectiveSpec(session, place, image, options);
    const { print, specHash } = built;
    const spec = {
      ...built.spec,
      labels: { ...built.spec.labels, [SECRETS_LABEL]: secretsHash(built.spec) },
    };
    const base = { runtime: lookup.runtime, dataDir: place.dataDir, image, spec: redactSpec(spec), specHash };
    const differences = existing ? differencesFrom(existing, spec, print) : [];
    if (
      existing &&
      // Fewer replicas running than wanted is the runtime's to reconcile (a node died, a
      // task restarts): rolling every task would not help. `server status` shows it.
      differences.length === 0 &&
      options.restart !== 'always'
    ) {
      await pipeline.call('afterStart', {
        id: existing.id,
        spec,
        image,
        dataDir: place.dataDir,
        alreadyRunning: true,
      });
      return { ...base, action: 'already-running', deployment: existing, differences, failures: [] };
    }
    const deploy = {
      target,
      spec,
      image,
      stopTimeoutSeconds: Math.max(0, Math.round(settings.server.stopTimeout / 1000)),
      readyTimeoutMs: settings.server.readyTimeout,
    };
    const rollout = existing
      ? await ask<RuntimeRollout>(session, 'runtimeUpdate', {
          ...deploy,
          current: existing,
          force: options.restart === 'always' || differences.length === 0,
        })
      : await ask<RuntimeRollout>(session, 'runtimeCreate', deploy);
    if (rollout.outcome === 'rolled-back') throw rolledBack(rollout, differences);
    await pipeline.call('afterStart', {
      id: rollout.deployment.id,
      spec,
      image,
      dataDir: place.dataDir,
      alreadyRunning: false,
    });
    return {
      ...base,
      action: rollout.outcome === 'created' ? 'started' : 'updated',
      deployment: rollout.deployment,
      differences,
      failures: rollout.failures,
    };
  } finally {
    await lock.release();
  }
}

/** What `inspectOnRuntime` reports (`server status`). */
export interface RuntimeStatus {
  runtime: string;
  running: boolean;
  deployment: RuntimeDeployment | undefined;
  dataDir: string;
}

/** `stigmer server status` on a runtime plugin: the deployment and its units. Read-only, no lock. */
export async function inspectOnRuntime(session: Session, options: LifecycleOptions): Promise<RuntimeStatus> {
  const lookup = await ask<RuntimeLookup>(session, 'runtimeInspect', targetOf(session, options));
  const found = lookup.found;
  return {
    runtime: lookup.runtime,
    running: found !== undefined && found.running > 0,
    deployment: found,
    dataDir: session.dataDir,
  };
}

/** `stigmer server logs` on a runtime plugin: the runtime's stream, each line prefixed with its unit. */
export async function logsOnRuntime(
  session: Session,
  options: LifecycleOptions & { follow: boolean; tail?: number | undefined },
): Promise<RuntimeLogs> {
  return ask<RuntimeLogs>(session, 'runtimeLogs', {
    target: targetOf(session, options),
    follow: options.follow,
    tail: options.tail,
  });
}

/** What `stopOnRuntime` did. */
export interface RuntimeStopOutcome extends RuntimeStopped {
  dataDir: string;
}

/** `stigmer server stop` on a runtime plugin: `beforeStop`, `runtimeStop`, `afterStop`, under the lock. */
export async function stopOnRuntime(
  session: Session,
  options: LifecycleOptions,
): Promise<RuntimeStopOutcome> {
  const { pipeline, settings } = session;
  const place = serverPlace(session);
  const lock = await lockFor(place, 'server stop', options);
  try {
    const target = targetOf(session, options);
    const request: StopRequest = {
      containerName: place.containerName,
      containerId: undefined,
      dataDir: place.dataDir,
      timeoutSeconds: Math.max(0, Math.round(settings.server.stopTimeout / 1000)),
    };
    await pipeline.call('beforeStop', request);
    const stopped = await ask<RuntimeStopped>(session, 'runtimeStop', {
      target,
      stopTimeoutSeconds: request.timeoutSeconds,
    });
    await pipeline.call('afterStop', {
      ...request,
      stopped: stopped.removed.length > 0,
      removed: stopped.removed.length > 0,
    });
    return { ...stopped, dataDir: place.dataDir };
  } finally {
    await lock.release();
  }
}

function targetOf(session: Session, options: LifecycleOptions): RuntimeTarget {
  return { name: session.settings.server.containerName, dataDir: session.dataDir, signal: options.signal };
}

/** Runs a runtime hook; a runtime plugin that answered none of them is a plugin error, not a silent no-op. */
async function ask<T>(session: Session, hook: HookName, payload: unknown): Promise<T> {
  const answer = await session.pipeline.call(hook as 'runtimeFind', payload as RuntimeTarget);
  if (answer === undefined) {
    throw new ServerError(
      'SERVER_START_FAILED',
      `No runtime answered "${hook}": every plugin that taps the runtime hooks passed. A runtime plugin must answer each of them.`,
      { details: { hook } },
    );
  }
  return answer as T;
}

/** What differs between the deployment and the wanted spec: image, spec, secrets. Empty when it can stay. */
function differencesFrom(
  found: RuntimeDeployment,
  spec: ContainerSpec,
  wanted: ReturnType<typeof fingerprint>,
): string[] {
  const lines: string[] = [];
  const runningImage = found.labels[LABELS.imageId] ?? '';
  if (runningImage !== wanted.image)
    lines.push(`image: ${short(runningImage)} → ${short(wanted.image)} (${spec.image})`);
  const recorded = parseFingerprint(found.labels[LABELS.spec]);
  if (!recorded) lines.push('its recorded spec (label org.stigmer.spec) is missing or unreadable');
  else if (found.labels[LABELS.specHash] !== fingerprintHash(wanted))
    lines.push(...fingerprintDifferences({ ...recorded, image: wanted.image }, wanted));
  if (found.labels[SECRETS_LABEL] !== spec.labels[SECRETS_LABEL])
    lines.push('the value of a secret variable changed');
  return lines;
}

/** A truncated hash of the secret values (never the values): enough to see a change, too short to test guesses against. */
function secretsHash(spec: ContainerSpec): string {
  const pairs = [...(spec.secretEnv ?? [])].sort().map((key) => [key, spec.env[key] ?? '']);
  return createHash('sha256')
    .update(`stigmer-secrets\0${spec.name}\0${JSON.stringify(pairs)}`)
    .digest('hex')
    .slice(0, 12);
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12) || '(none)';

function rolledBack(rollout: RuntimeRollout, differences: string[]): ServerError {
  const failures = rollout.failures.map(
    (unit) =>
      `  - ${unit.name}${unit.node ? ` on ${unit.node}` : ''}: ${unit.state}${unit.error ? `: ${unit.error}` : ''}`,
  );
  return new ServerError(
    'SERVER_START_FAILED',
    [
      `The update of ${rollout.deployment.name} failed and ${rollout.runtime} rolled it back to the previous spec (${rollout.deployment.update?.message || 'rollback completed'}).`,
      ...(failures.length > 0 ? ['Tasks that failed:', ...failures] : []),
      ...(differences.length > 0 ? ['The update changed:', ...differences.map((d) => `  - ${d}`)] : []),
      'The previous version still runs. Fix the image or config and run `stigmer server start` again; `stigmer server logs` shows the output.',
    ].join('\n'),
    {
      details: {
        runtime: rollout.runtime,
        deployment: rollout.deployment.name,
        failures: rollout.failures.map((u) => ({
          task: u.name,
          node: u.node ?? null,
          state: u.state,
          error: u.error ?? null,
        })),
      },
    },
  );
}
