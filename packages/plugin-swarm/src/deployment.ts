import type {
  RuntimeDeployment,
  RuntimeUnit,
  SwarmEngine,
  SwarmNode,
  SwarmService,
  SwarmTask,
} from '@stigmer/core';

/** The runtime's name in every answer. */
export const RUNTIME = 'swarm';

/** Task states in which a task has finished for good (Swarm starts another in its slot). */
const DONE_STATES = new Set(['complete', 'shutdown', 'failed', 'rejected', 'orphaned', 'remove']);
/** States of a task that failed, as opposed to one shut down on purpose. */
export const FAILED_STATES = new Set(['failed', 'rejected']);

/** The service and its tasks as the lifecycle sees a deployment. */
export function deploymentOf(
  service: SwarmService,
  tasks: readonly SwarmTask[],
  nodes: readonly SwarmNode[],
): RuntimeDeployment {
  const image = imageOf(service.spec);
  const desired = replicasOf(service.spec);
  const units = [...tasks]
    .sort((a, b) => a.slot - b.slot || b.createdAt.localeCompare(a.createdAt))
    .map((task) => unitOf(service.name, task, nodes));
  return {
    id: service.id,
    name: service.name,
    runtime: RUNTIME,
    labels: service.labels,
    image,
    desired,
    running: runningTasks(tasks, image).length,
    update: service.updateStatus
      ? { state: service.updateStatus.state, message: service.updateStatus.message }
      : undefined,
    units,
    createdAt: service.createdAt,
  };
}

/** Tasks of the current spec that run and are meant to. */
export function runningTasks(tasks: readonly SwarmTask[], image: string): SwarmTask[] {
  return tasks.filter(
    (t) => t.state === 'running' && t.desiredState === 'running' && (!image || t.image === image),
  );
}

/** True for a task that ended (failed, shut down...). */
export const isDone = (task: SwarmTask) => DONE_STATES.has(task.state);

export function unitOf(service: string, task: SwarmTask, nodes: readonly SwarmNode[]): RuntimeUnit {
  return {
    id: task.id,
    name: `${service}.${task.slot}`,
    node: nodeName(task.nodeId, nodes),
    state: task.state,
    desiredState: task.desiredState,
    image: task.image,
    error: task.error || (FAILED_STATES.has(task.state) ? task.message : '') || undefined,
    updatedAt: task.updatedAt,
  };
}

/**
 * A node as people tell them apart: its hostname and short id (`docker node
 * ls` shows both). Not its address: the manager records the address it sees
 * a node's connection come from, which for nodes behind one NAT (or on one
 * machine) is the same for all.
 */
export function nodeName(nodeId: string, nodes: readonly SwarmNode[]): string | undefined {
  if (!nodeId) return undefined;
  const node = nodes.find((n) => n.id === nodeId);
  return node ? `${node.hostname} (${nodeId.slice(0, 12)})` : nodeId.slice(0, 12);
}

export function imageOf(spec: unknown): string {
  return (
    (spec as { TaskTemplate?: { ContainerSpec?: { Image?: string } } })?.TaskTemplate?.ContainerSpec?.Image ??
    ''
  );
}

export function replicasOf(spec: unknown): number {
  return (spec as { Mode?: { Replicated?: { Replicas?: number } } })?.Mode?.Replicated?.Replicas ?? 0;
}

export function forceUpdateOf(spec: unknown): number {
  return (spec as { TaskTemplate?: { ForceUpdate?: number } })?.TaskTemplate?.ForceUpdate ?? 0;
}

/** The service with its tasks and the nodes, as one deployment; `undefined` when there is no service. */
export async function inspectDeployment(
  swarm: SwarmEngine,
  name: string,
): Promise<RuntimeDeployment | undefined> {
  const service = await swarm.inspectService(name);
  if (!service) return undefined;
  const [tasks, nodes] = await Promise.all([swarm.tasks(service.id), swarm.nodes()]);
  return deploymentOf(service, tasks, nodes);
}
