import type Dockerode from 'dockerode';
import { EngineError } from '../errors.js';
import { normalisePlatform } from '../image/platform.js';
import { splitReference } from './reference.js';
import type { ContainerInfo, ContainerSpec, ImageInfo } from './types.js';

/**
 * Pure mappers between the Engine API's shapes (as dockerode types them)
 * and stigmer's: what an inspect answer means, and what a container spec
 * asks the engine to create.
 */

const CONTAINER_STATES = new Set<ContainerInfo['state']>([
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
]);
const HEALTH_STATES = new Set(['starting', 'healthy', 'unhealthy']);

/**
 * `repo:tag` for the Engine API's tag call: the tag is after the last `:`
 * that follows the last `/` (a `:` before it is a registry port); no tag means
 * `latest`. A digest cannot be a tag target.
 */
export function splitRepoTag(target: string): { repo: string; tag: string } {
  if (target.includes('@')) {
    throw new EngineError(
      'ENGINE_FAILED',
      `Cannot tag an image as "${target}": a name with a digest cannot be a tag. Use NAME[:TAG].`,
      { details: { target } },
    );
  }
  const { name, tag } = splitReference(target);
  return { repo: name, tag: tag ?? 'latest' };
}

/**
 * The image, trimmed to what stigmer uses.
 * @internal dockerode types stay out of the published declarations.
 */
export function toImageInfo(inspect: Dockerode.ImageInspectInfo): ImageInfo {
  const variant = (inspect as { Variant?: string }).Variant;
  return {
    id: inspect.Id,
    repoTags: inspect.RepoTags ?? [],
    repoDigests: inspect.RepoDigests ?? [],
    platform: normalisePlatform(inspect.Os || 'linux', inspect.Architecture || 'unknown', variant),
    labels: inspect.Config?.Labels ?? {},
    created: inspect.Created,
    sizeBytes: inspect.Size,
    entrypoint: asList(inspect.Config?.Entrypoint),
    cmd: asList(inspect.Config?.Cmd),
    ...healthcheckOf(inspect.Config?.Healthcheck as EngineHealthcheck | undefined),
  };
}

/** `Config.Healthcheck` of an image inspect, as the Engine API spells it. */
interface EngineHealthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The image's HEALTHCHECK, left out when there is none or it is `NONE`. */
function healthcheckOf(check: EngineHealthcheck | undefined): Pick<ImageInfo, 'healthcheck'> {
  const test = check?.Test;
  if (!check || !test || test.length === 0 || test[0] === 'NONE') return {};
  const positive = (n: number | undefined) => (typeof n === 'number' && n > 0 ? n : undefined);
  return {
    healthcheck: {
      test: [...test],
      intervalNs: positive(check.Interval),
      timeoutNs: positive(check.Timeout),
      startPeriodNs: positive(check.StartPeriod),
      startIntervalNs: positive(check.StartInterval),
      retries: positive(check.Retries),
    },
  };
}

/** An image config's Entrypoint or Cmd: a list, a shell string (old images), or none. */
function asList(value: string | string[] | null | undefined): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? ['/bin/sh', '-c', value] : value;
}

/**
 * The container, trimmed to what stigmer uses.
 * @internal dockerode types stay out of the published declarations.
 */
export function toContainerInfo(inspect: Dockerode.ContainerInspectInfo): ContainerInfo {
  const status = inspect.State?.Status as ContainerInfo['state'];
  const health = inspect.State?.Health?.Status;
  return {
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    image: inspect.Config?.Image ?? '',
    imageId: inspect.Image,
    state: CONTAINER_STATES.has(status) ? status : 'dead',
    health: health && HEALTH_STATES.has(health) ? (health as ContainerInfo['health']) : undefined,
    startedAt: inspect.State?.StartedAt ?? '',
    restartCount: inspect.RestartCount ?? 0,
    labels: inspect.Config?.Labels ?? {},
    env: inspect.Config?.Env ?? [],
    exitCode: inspect.State?.ExitCode ?? 0,
    finishedAt: inspect.State?.FinishedAt ?? '',
    error: inspect.State?.Error ?? '',
    user: inspect.Config?.User ?? '',
    restartPolicy: inspect.HostConfig?.RestartPolicy?.Name ?? '',
    networkMode: inspect.HostConfig?.NetworkMode ?? '',
    mounts: (inspect.Mounts ?? []).map((m) => ({
      source: m.Type === 'volume' && m.Name ? m.Name : m.Source,
      target: m.Destination,
      readOnly: m.RW === false,
    })),
    hasHealthcheck: hasHealthcheck(inspect),
    healthOutput: inspect.State?.Health?.Log?.at(-1)?.Output?.trim() || undefined,
  };
}

/** A HEALTHCHECK is in force unless there is none or it is `NONE` (`--no-healthcheck`). */
function hasHealthcheck(inspect: Dockerode.ContainerInspectInfo): boolean {
  const test = inspect.Config?.Healthcheck?.Test;
  return Array.isArray(test) && test.length > 0 && test[0] !== 'NONE';
}

/**
 * The Engine API's create options for a spec. Mounts use `Binds`, as
 * `docker run -v` does (a missing host folder is created); a host path with a
 * `:` in it cannot be written as a bind string and goes to `Mounts` instead.
 * @internal dockerode types stay out of the published declarations.
 */
export function toCreateOptions(spec: ContainerSpec): Dockerode.ContainerCreateOptions {
  const binds: string[] = [];
  const mounts: Dockerode.MountSettings[] = [];
  for (const mount of spec.mounts) {
    const isPath = mount.source.startsWith('/') || /^[A-Za-z]:[\\/]/.test(mount.source);
    if (isPath && mount.source.includes(':') && !/^[A-Za-z]:[\\/]/.test(mount.source)) {
      mounts.push({
        Type: 'bind',
        Source: mount.source,
        Target: mount.target,
        ReadOnly: Boolean(mount.readOnly),
      });
    } else {
      binds.push(`${mount.source}:${mount.target}${mount.readOnly ? ':ro' : ''}`);
    }
  }
  const hostConfig: Dockerode.HostConfig = {};
  if (binds.length > 0) hostConfig.Binds = binds;
  if (mounts.length > 0) hostConfig.Mounts = mounts;
  if (spec.networkMode) hostConfig.NetworkMode = spec.networkMode;
  if (spec.extraHosts && spec.extraHosts.length > 0) hostConfig.ExtraHosts = [...spec.extraHosts];
  if (spec.restartPolicy) hostConfig.RestartPolicy = { Name: spec.restartPolicy, MaximumRetryCount: 0 };
  if (spec.init !== undefined) hostConfig.Init = spec.init;
  if (spec.log) hostConfig.LogConfig = { Type: spec.log.driver, Config: { ...spec.log.options } };

  const options: Dockerode.ContainerCreateOptions = {
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    Labels: { ...spec.labels },
    HostConfig: hostConfig,
  };
  if (spec.user) options.User = spec.user;
  if (spec.command) options.Cmd = [...spec.command];
  return options;
}
