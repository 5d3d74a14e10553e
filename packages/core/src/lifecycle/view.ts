import type { ContainerInfo, ContainerSpec } from '../engine/types.js';
import { SECRET_PLACEHOLDER } from './fingerprint.js';
import { LABELS } from './labels.js';

/** A container as commands report it: no environment, which may hold secrets. */
export interface ContainerView {
  id: string;
  name: string;
  state: ContainerInfo['state'];
  /** `none` when the image has no HEALTHCHECK. */
  health: 'starting' | 'healthy' | 'unhealthy' | 'none';
  /** The reference it was created from. */
  image: string;
  imageId: string;
  /** The registry digest recorded when it was started, if the image came from a registry. */
  digest: string | undefined;
  startedAt: string;
  restartCount: number;
  exitCode: number;
  /** The stigmer version that started it, from its labels. */
  startedBy: string | undefined;
}

/** The secret-free view of a container. */
export function containerView(info: ContainerInfo): ContainerView {
  return {
    id: info.id,
    name: info.name,
    state: info.state,
    health: info.hasHealthcheck ? (info.health ?? 'starting') : 'none',
    image: info.image,
    imageId: info.imageId,
    digest: info.labels[LABELS.imageDigest] || undefined,
    startedAt: info.startedAt,
    restartCount: info.restartCount,
    exitCode: info.exitCode,
    startedBy: info.labels[LABELS.cliVersion],
  };
}

/** The spec with every secret value replaced, fit for output. */
export function redactSpec(spec: ContainerSpec): ContainerSpec {
  const secret = new Set(spec.secretEnv ?? []);
  return {
    ...spec,
    env: Object.fromEntries(
      Object.entries(spec.env).map(([key, value]) => [key, secret.has(key) ? SECRET_PLACEHOLDER : value]),
    ),
    labels: { ...spec.labels },
    mounts: spec.mounts.map((m) => ({ ...m })),
  };
}
