import type { ContainerInfo, Engine } from '../engine/types.js';
import type { StateStore } from '../state/store.js';
import { isOurs, LABELS, ownerLabels } from './labels.js';

/** Where the lifecycle looks for its container. */
export interface ContainerPlace {
  engine: Engine;
  store: StateStore;
  /** The configured container name. */
  containerName: string;
}

/** A container found, and how: `state` (by the id in the state file), `name` or `labels`. */
export interface FoundContainer {
  info: ContainerInfo;
  foundBy: 'state' | 'name' | 'labels';
}

/**
 * Finds the agent-runner container without trusting the state file: by the
 * id it remembers (when that container is still ours and of this data
 * folder), then by the configured name, then by labels. A state file that is
 * missing, torn or points at a removed container costs a lookup, nothing more.
 */
export async function findContainer(place: ContainerPlace): Promise<FoundContainer | undefined> {
  const { engine, store, containerName } = place;
  const state = await store.read();
  if (state) {
    const info = await engine.inspectContainer(state.containerId);
    if (info && isOurs(info.labels) && info.labels[LABELS.dataDir] === store.dataDir)
      return { info, foundBy: 'state' };
  }
  // Both at once: one round trip instead of two when the name is gone.
  const [byName, labelled] = await Promise.all([
    engine.inspectContainer(containerName),
    engine.listContainers(ownerLabels(store.dataDir)),
  ]);
  if (byName) return { info: byName, foundBy: 'name' };
  const best = labelled.find((c) => c.state === 'running') ?? labelled[0];
  return best ? { info: best, foundBy: 'labels' } : undefined;
}

/** Every container of this data folder (by labels) plus the one found by name or state, once each. */
export async function findAllContainers(place: ContainerPlace): Promise<ContainerInfo[]> {
  const [found, labelled] = await Promise.all([
    findContainer(place),
    place.engine.listContainers(ownerLabels(place.store.dataDir)),
  ]);
  const all = new Map<string, ContainerInfo>();
  if (found) all.set(found.info.id, found.info);
  for (const info of labelled) if (!all.has(info.id)) all.set(info.id, info);
  return [...all.values()];
}
