import {
  definePlugin,
  type HookContext,
  type RuntimeDeployRequest,
  type RuntimeRollout,
  type RuntimeTarget,
  type RuntimeUnit,
  ServerError,
  type StigmerPlugin,
  type SwarmEngine,
  type SwarmService,
} from '@stigmer/core';
import { forceUpdateOf, inspectDeployment, RUNTIME } from './deployment.js';
import { pinImage, swarmOf } from './image-pin.js';
import { prefixLines } from './logs.js';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import type { SwarmOptions } from './options.js';
import { VERSION } from './package-version.js';
import { waitForReplicas, waitForUpdate } from './rollout.js';
import {
  ensureSecrets,
  removeSecretsExcept,
  SECRET_OWNER_LABEL,
  secretIdsOf,
  secretKeysOf,
} from './secrets.js';
import { serviceSpec } from './service-spec.js';

/** The label that records the plugin's own options in the spec, so that changing them rolls the service. */
export const OPTIONS_LABEL = 'org.stigmer.swarm';

const MANAGED_BY = 'org.stigmer.managed-by';
const DATA_DIR = 'org.stigmer.data-dir';

/**
 * Runs the agent-runner as a replicated Docker Swarm service on the
 * session's engine (a swarm manager): `server start` creates or rolls the
 * service from the same container spec the agent-runner plugin builds, with
 * the image pinned by a registry digest every node can pull (pushed to
 * `registry` first when it exists only here) and the API keys as Swarm
 * secrets; `status` lists every task with its node; `logs` prefixes each
 * line with its task; `stop` removes the service and its secrets.
 */
export function swarmPlugin(): StigmerPlugin<SwarmOptions> {
  return definePlugin<SwarmOptions>({
    name: 'stigmer:swarm',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    defaultOptions: DEFAULT_OPTIONS,
    apply(hooks, options) {
      hooks.containerSpec.tap((spec) => ({
        ...spec,
        labels: { ...spec.labels, [OPTIONS_LABEL]: JSON.stringify(options) },
      }));
      hooks.runtimeFind.tap(async (target, ctx) => ({
        runtime: RUNTIME,
        found: await ownDeployment(await managerOf(ctx), target),
      }));
      hooks.runtimeInspect.tap(async (target, ctx) => ({
        runtime: RUNTIME,
        found: await inspectDeployment(await managerOf(ctx), target.name),
      }));
      hooks.runtimeCreate.tap((request, ctx) => create(request, ctx));
      hooks.runtimeUpdate.tap(async (request, ctx) => {
        const swarm = await managerOf(ctx);
        const current = await swarm.inspectService(request.current.id);
        if (!current) return create(request, ctx);
        return update(request, current, request.force, ctx);
      });
      hooks.runtimeLogs.tap(async (request, ctx) => {
        const swarm = await managerOf(ctx);
        const deployment = await inspectDeployment(swarm, request.target.name);
        if (!deployment) throw notFound(request.target);
        const [raw, nodes] = await Promise.all([
          swarm.logs(deployment.id, {
            follow: request.follow,
            tail: request.tail,
            signal: request.target.signal,
          }),
          swarm.nodes(),
        ]);
        const prefixed = prefixLines(swarm, deployment, nodes);
        raw.on('error', (error) => prefixed.destroy(error));
        const service = await swarm.inspectService(deployment.id);
        const secretEnv = secretKeysOf(service?.spec);
        return { runtime: RUNTIME, deployment, stream: raw.pipe(prefixed), secretEnv };
      });
      hooks.runtimeStop.tap(async (request, ctx) => {
        const swarm = await managerOf(ctx);
        const service = await swarm.inspectService(request.target.name);
        const removed: string[] = [];
        if (service && owned(service, request.target)) {
          // Scaled to 0 first, so that stop returns once every live node stopped its runner.
          const spec = { ...service.spec, Mode: { Replicated: { Replicas: 0 } } };
          await swarm.updateService(service.id, service.version, spec);
          await tasksStopped(swarm, service.id, (request.stopTimeoutSeconds + 30) * 1000, ctx.signal);
          await swarm.removeService(service.id);
          removed.push(`service ${service.name}`);
        } else if (service) {
          ctx.log.warn(
            `the service ${service.name} was not started by stigmer for ${request.target.dataDir}; left alone`,
          );
        }
        removed.push(...(await removeSecretsExcept(swarm, request.target.name, new Set())));
        ctx.note(removed.length > 0 ? `removed ${removed.join(', ')}` : 'no service to remove');
        return { runtime: RUNTIME, removed };
      });
    },
  });
}

/** Creates the service and waits for every replica. */
async function create(
  request: RuntimeDeployRequest,
  ctx: HookContext<SwarmOptions>,
): Promise<RuntimeRollout> {
  const swarm = await managerOf(ctx);
  const { spec, auth, image } = await prepare(request, swarm, 0, ctx);
  const id = await swarm.createService(spec, { auth });
  ctx.note(`created service ${request.spec.name} (${ctx.options.replicas} replicas of ${image})`);
  let failures: RuntimeUnit[];
  try {
    failures = await waitForReplicas({
      swarm,
      serviceId: id,
      name: request.spec.name,
      image,
      replicas: ctx.options.replicas,
      timeoutMs: request.readyTimeoutMs,
      signal: ctx.signal,
    });
  } catch (error) {
    // Interrupted (Ctrl-C, the hook's timeout): no half-made service is left, as far as
    // the time before the CLI exits allows (the next start or stop removes the rest).
    // A service whose tasks failed is kept for `server logs`, as the error says.
    if (ctx.signal.aborted) {
      await swarm.removeService(id).catch(() => {});
      await removeSecretsExcept(swarm, request.spec.name, new Set()).catch(() => []);
    }
    throw error;
  }
  // Secrets a start that was interrupted left behind (the CLI exits as soon as it unwinds).
  await removeSecretsExcept(swarm, request.spec.name, new Set(secretIdsOf(spec)));
  return {
    runtime: RUNTIME,
    outcome: 'created',
    deployment: await mustInspect(swarm, request.spec.name),
    failures,
  };
}

/** Rolls the service to the new spec (every task: `ForceUpdate` goes up) and waits until it converges or rolls back. */
async function update(
  request: RuntimeDeployRequest,
  current: SwarmService,
  force: boolean,
  ctx: HookContext<SwarmOptions>,
): Promise<RuntimeRollout> {
  const swarm = await managerOf(ctx);
  const { spec, auth, image } = await prepare(request, swarm, forceUpdateOf(current.spec) + 1, ctx);
  await swarm.updateService(current.id, current.version, spec, { auth });
  ctx.note(
    `updating service ${current.name}${force ? ' (forced)' : ''}: ${ctx.options.update.order}, ${ctx.options.update.parallelism} at a time`,
  );
  const { outcome, failures } = await waitForUpdate(
    {
      swarm,
      serviceId: current.id,
      name: current.name,
      image,
      replicas: ctx.options.replicas,
      timeoutMs: request.readyTimeoutMs,
      signal: ctx.signal,
    },
    current.updateStatus?.startedAt,
  );
  const after = await swarm.inspectService(current.id);
  // Secrets the running spec no longer mounts go; those of a rolled-back spec stay in use.
  await removeSecretsExcept(swarm, current.name, new Set(secretIdsOf(after?.spec)));
  return { runtime: RUNTIME, outcome, deployment: await mustInspect(swarm, current.name), failures };
}

/** The image by digest, the secrets, the service spec and the nodes' pull credentials. */
async function prepare(
  request: RuntimeDeployRequest,
  swarm: SwarmEngine,
  forceUpdate: number,
  ctx: HookContext<SwarmOptions>,
) {
  const info = await ctx.engine.inspectImage(request.image.id);
  if (!info) {
    throw new ServerError(
      'SERVER_START_FAILED',
      `The resolved image ${request.image.reference} (${request.image.id}) is gone from the engine.`,
    );
  }
  const pinned = await pinImage(request.image, info, ctx.options, ctx);
  const owner = Object.fromEntries(
    Object.entries(request.spec.labels).filter(([key]) => key === MANAGED_BY || key === DATA_DIR),
  );
  const secrets = await ensureSecrets(swarm, request.spec, owner);
  if (secrets.length > 0 && !(info.entrypoint?.length || request.spec.command?.length || info.cmd?.length)) {
    throw new ServerError(
      'SERVER_START_FAILED',
      `The image ${request.image.reference} has no entrypoint or command, so the secrets wrapper has nothing to run.`,
    );
  }
  const spec = serviceSpec({
    spec: request.spec,
    image: pinned.reference,
    entrypoint: info.entrypoint ?? [],
    cmd: info.cmd ?? [],
    secrets,
    options: ctx.options,
    stopTimeoutSeconds: request.stopTimeoutSeconds,
    forceUpdate,
  });
  const credential = pinned.registry ? await ctx.credentials(pinned.registry, pinned.repository) : undefined;
  return { spec, auth: credential?.auth, image: pinned.reference };
}

/** The engine's Swarm API, after checking that this engine manages a swarm. */
async function managerOf(ctx: HookContext<SwarmOptions>): Promise<SwarmEngine> {
  const swarm = swarmOf(ctx);
  const state = await swarm.state();
  if (state.state !== 'active' || !state.manager) {
    throw new ServerError(
      'SERVER_START_FAILED',
      state.state === 'active'
        ? 'The engine is a swarm worker, not a manager: services are created on a manager. Point DOCKER_HOST (or engine.host) at a manager node.'
        : `The engine is not part of a swarm (its swarm state is ${state.state}). Run \`docker swarm init\` on it (or point DOCKER_HOST at a manager), or remove "swarm" from "plugins" to run a single container.`,
      { details: { swarmState: state.state } },
    );
  }
  return swarm;
}

/** The deployment stigmer made for this target; a service of that name that is not ours is refused, untouched. */
async function ownDeployment(swarm: SwarmEngine, target: RuntimeTarget) {
  const service = await swarm.inspectService(target.name);
  if (!service) return undefined;
  if (!owned(service, target)) {
    throw new ServerError(
      'SERVER_NAME_TAKEN',
      `A swarm service named ${target.name} exists that stigmer did not start for the data folder ${target.dataDir} (${service.labels[DATA_DIR] ? `it belongs to ${service.labels[DATA_DIR]}` : 'it has no stigmer labels'}). It was left alone. Remove it (\`docker service rm ${target.name}\`) or set server.containerName to another name.`,
      { details: { service: target.name, id: service.id } },
    );
  }
  return inspectDeployment(swarm, target.name);
}

function owned(service: SwarmService, target: RuntimeTarget): boolean {
  return service.labels[MANAGED_BY] === 'stigmer' && service.labels[DATA_DIR] === target.dataDir;
}

async function mustInspect(swarm: SwarmEngine, name: string) {
  const deployment = await inspectDeployment(swarm, name);
  if (!deployment)
    throw new ServerError('SERVER_START_FAILED', `The service ${name} disappeared during its rollout.`);
  return deployment;
}

/** Waits until no task of the service runs on a node that is up (a dead node's tasks never report back). */
async function tasksStopped(swarm: SwarmEngine, serviceId: string, timeoutMs: number, signal: AbortSignal) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [tasks, nodes] = await Promise.all([swarm.tasks(serviceId), swarm.nodes()]);
    const up = new Set(nodes.filter((n) => n.state === 'ready').map((n) => n.id));
    if (!tasks.some((t) => up.has(t.nodeId) && ['running', 'starting', 'preparing'].includes(t.state)))
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (signal.aborted) return;
  }
}

function notFound(target: RuntimeTarget): ServerError {
  return new ServerError(
    'SERVER_NOT_FOUND',
    `No swarm service named ${target.name} to show logs of. Start it with \`stigmer server start\`.`,
    { details: { service: target.name, dataDir: target.dataDir } },
  );
}

export { SECRET_OWNER_LABEL };
