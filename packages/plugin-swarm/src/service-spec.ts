import type { ContainerSpec, SwarmServiceSpec } from '@stigmer/core';
import type { SwarmOptions } from './options.js';

/** Where a secret variable's file is mounted in the task: `/run/secrets/stigmer-env.<KEY>`. */
export const SECRET_FILE_PREFIX = 'stigmer-env.';

/**
 * The task's entrypoint wrapper: exports every `/run/secrets/stigmer-env.<KEY>`
 * file as the variable `<KEY>` (its exact bytes, trailing newlines kept),
 * then `exec`s the image's own entrypoint and command. The agent-runner
 * reads its API keys from the environment as it always does; the values
 * are in no spec anyone can inspect, only in the task's process.
 */
export const SECRETS_WRAPPER = [
  `for f in /run/secrets/${SECRET_FILE_PREFIX}*; do`,
  '[ -f "$f" ] || continue;',
  `k="\${f##*/${SECRET_FILE_PREFIX}}";`,
  'v="$(cat "$f"; printf x)";',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  'export "$k=${v%x}";',
  'done;',
  'exec "$@"',
].join(' ');

/** A Swarm secret the service mounts for one secret variable. */
export interface SecretRef {
  /** The variable (`ANTHROPIC_API_KEY`). */
  key: string;
  id: string;
  /** The secret's name in the swarm. */
  name: string;
}

/** What the service spec needs besides the container spec. */
export interface ServiceInputs {
  spec: ContainerSpec;
  /** The image by digest (`registry/repository@sha256:...`). */
  image: string;
  /** The image's own entrypoint and command, for the secrets wrapper. */
  entrypoint: readonly string[];
  cmd: readonly string[];
  secrets: readonly SecretRef[];
  options: SwarmOptions;
  stopTimeoutSeconds: number;
  /** `TaskTemplate.ForceUpdate`: a new number rolls every task. */
  forceUpdate: number;
}

const NS_PER_MS = 1_000_000;

/**
 * The Swarm service for a container spec, as `docker service create` would
 * make it: the same environment (secret variables left out: they come from
 * Swarm secrets), labels, restart policy, log options, user, init and host
 * network; bind mounts of this machine's folders become node-local volumes
 * (the folder exists on this machine only; each node's replicas share one
 * volume of that name on their node).
 */
export function serviceSpec(inputs: ServiceInputs): SwarmServiceSpec {
  const { spec, options } = inputs;
  const secret = new Set(spec.secretEnv ?? []);
  const env = Object.entries(spec.env)
    .filter(([key]) => !secret.has(key))
    .map(([key, value]) => `${key}=${value}`)
    .sort();
  const args = spec.command ?? inputs.cmd;
  const containerSpec: Record<string, unknown> = {
    Image: inputs.image,
    Labels: spec.labels,
    Env: env,
    Mounts: spec.mounts.map((mount) => ({
      Type: 'volume',
      Source: volumeName(spec.name, mount.target),
      Target: mount.target,
      ReadOnly: Boolean(mount.readOnly),
    })),
    StopGracePeriod: inputs.stopTimeoutSeconds * 1000 * NS_PER_MS,
    ...(spec.user ? { User: spec.user } : {}),
    ...(spec.init !== undefined ? { Init: spec.init } : {}),
    ...(inputs.secrets.length > 0
      ? {
          Command: ['/bin/sh', '-c', SECRETS_WRAPPER, 'stigmer-secrets', ...inputs.entrypoint],
          Args: [...args],
          Secrets: inputs.secrets.map((s) => ({
            SecretID: s.id,
            SecretName: s.name,
            File: { Name: `${SECRET_FILE_PREFIX}${s.key}`, UID: '0', GID: '0', Mode: 0o444 },
          })),
        }
      : spec.command
        ? { Args: [...spec.command] }
        : {}),
  };
  const update = {
    Parallelism: options.update.parallelism,
    Delay: options.update.delayMs * NS_PER_MS,
    Monitor: options.update.monitorMs * NS_PER_MS,
    MaxFailureRatio: 0,
    Order: options.update.order,
  };
  return {
    Name: spec.name,
    Labels: spec.labels,
    TaskTemplate: {
      ContainerSpec: containerSpec,
      RestartPolicy: {
        Condition: restartCondition(spec.restartPolicy),
        Delay: 1000 * NS_PER_MS,
        MaxAttempts: 0,
      },
      Placement: { Constraints: [...options.constraints] },
      ...(spec.log ? { LogDriver: { Name: spec.log.driver, Options: spec.log.options } } : {}),
      ...(spec.networkMode ? { Networks: [{ Target: spec.networkMode }] } : {}),
      ForceUpdate: inputs.forceUpdate,
    },
    Mode: { Replicated: { Replicas: options.replicas } },
    UpdateConfig: { ...update, FailureAction: 'rollback' },
    RollbackConfig: { ...update, FailureAction: 'pause' },
  };
}

/** `unless-stopped`/`always` → `any`; `on-failure`; `no` → `none` (Swarm's words for restart policies). */
export function restartCondition(policy: ContainerSpec['restartPolicy']): 'any' | 'on-failure' | 'none' {
  if (policy === 'on-failure') return 'on-failure';
  if (policy === 'no') return 'none';
  return 'any';
}

/** The node-local volume that stands for a bind mount at `target`: `stigmer-agent-runner-workspace`. */
export function volumeName(service: string, target: string): string {
  const tail = target.replace(/^\/+|\/+$/g, '').replace(/[^a-zA-Z0-9_.-]+/g, '-') || 'root';
  return `${service}-${tail}`;
}
