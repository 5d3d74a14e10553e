import type { ContainerInfo, ContainerSpec } from '../engine/types.js';
import { interruption, isStigmerError, ServerError, type StigmerError } from '../errors.js';
import type { ResolvedImage } from '../image/types.js';
import { resolveImage } from '../pipeline/resolve.js';
import { requestFor, type Session } from '../session.js';
import type { ServerState } from '../state/store.js';
import { type LifecycleOptions, lockFor, type ServerPlace, serverPlace } from './context.js';
import { lastOutput, withEvidence } from './evidence.js';
import { findContainer } from './find.js';
import {
  fingerprintDifferences,
  fingerprintHash,
  parseFingerprint,
  type SpecFingerprint,
  secretDifferences,
} from './fingerprint.js';
import { LABELS } from './labels.js';
import { nameTaken, ownedHere } from './ownership.js';
import { effectiveSpec } from './spec.js';
import { removeGracefully, type StoppedContainer, stopUnderLock } from './stop.js';
import { type ContainerView, containerView, redactSpec } from './view.js';
import { waitReady } from './wait.js';

/** Options of `startServer`. */
export interface StartOptions extends LifecycleOptions {
  /**
   * `true` (`--restart`): replace a running container whose image or spec
   * differs. `always` (`server restart`): replace it even when nothing differs.
   */
  restart?: boolean | 'always' | undefined;
}

/** What `startServer` did. */
export interface StartOutcome {
  /** `already-running`: same image and spec, left alone; `restarted`: a different one was replaced. */
  action: 'started' | 'restarted' | 'already-running';
  dataDir: string;
  container: ContainerView;
  image: ResolvedImage;
  /** The effective spec, secret values replaced. */
  spec: ContainerSpec;
  specHash: string;
  /** What differed from the container that was replaced (`restarted`). */
  differences: string[];
  /** Containers removed first: a stopped leftover, or the one replaced. */
  removed: StoppedContainer[];
  /** True when start waited for a HEALTHCHECK to pass. */
  waitedForHealth: boolean;
}

const LIVE_STATES = new Set(['running', 'restarting', 'paused']);

/**
 * `stigmer server start`. Under the lifecycle lock (so two starts never both
 * pull or both create): resolve the image through the chain, find the
 * container (state, name, labels), run `beforeStart`, build the spec through
 * the `containerSpec` waterfall, then
 * - same image and spec already running: leave it, say so;
 * - running with a difference: fail with `SERVER_CONFIG_CHANGED` listing what
 *   differs, or replace it when `restart` is set;
 * - a stopped leftover: remove it;
 * - a container of that name stigmer does not own here (no labels, or
 *   another data folder's): fail with `SERVER_NAME_TAKEN`, touching nothing;
 * create and start the container, wait until it is ready (healthy when the
 * image has a HEALTHCHECK, else running undisturbed for `server.settleTime`),
 * record the state, run `afterStart`. A container that does not start is
 * stopped and kept for `server logs`, its last output in the error; an
 * interruption or any other failure after it was created removes it.
 */
export async function startServer(session: Session, options: StartOptions): Promise<StartOutcome> {
  const place = serverPlace(session);
  await session.engine.connect();
  const lock = await lockFor(place, 'server start', options);
  try {
    return await startUnderLock(session, place, options);
  } finally {
    await lock.release();
  }
}

async function startUnderLock(
  session: Session,
  place: ServerPlace,
  options: StartOptions,
): Promise<StartOutcome> {
  const { pipeline } = session;
  // Independent, so side by side: the lookup runs while the chain resolves.
  // Under the lock no other stigmer can change the container meanwhile.
  const [image, found] = await bothSettled(
    resolveImage(pipeline, requestFor(session, 'resolve')),
    findContainer(place),
  );
  options.onEvent?.({ type: 'resolved', image });
  const existing = found?.info;
  if (existing && !ownedHere(existing, place.dataDir)) throw nameTaken(existing, place.dataDir);
  await pipeline.call('beforeStart', {
    image,
    containerName: place.containerName,
    dataDir: place.dataDir,
    existing: existing ? { id: existing.id, state: existing.state } : undefined,
  });
  const { spec, print, specHash } = await effectiveSpec(session, place, image, options);
  const outcome = { dataDir: place.dataDir, image, spec: redactSpec(spec), specHash };

  const live = existing !== undefined && LIVE_STATES.has(existing.state);
  const differences = existing && live ? differencesFrom(existing, print, spec) : [];
  if (existing?.state === 'running' && differences.length === 0 && options.restart !== 'always') {
    await place.store.write(stateOf(existing, image, specHash, existing.labels[LABELS.cliVersion]));
    await pipeline.call('afterStart', {
      id: existing.id,
      spec,
      image,
      dataDir: place.dataDir,
      alreadyRunning: true,
    });
    const container = containerView(existing);
    return {
      ...outcome,
      action: 'already-running',
      container,
      differences,
      removed: [],
      waitedForHealth: false,
    };
  }
  const replacedLive = live && (differences.length > 0 || options.restart === 'always');
  if (existing && replacedLive && !options.restart) throw configChanged(existing, differences);
  const removed = existing
    ? await clearTheWay(session, place, existing, replacedLive, differences, options)
    : [];

  const { info, waitedForHealth } = await createAndWait(session, place, spec, options);
  await place.store.write(stateOf(info, image, specHash, session.cliVersion));
  await pipeline.call('afterStart', {
    id: info.id,
    spec,
    image,
    dataDir: place.dataDir,
    alreadyRunning: false,
  });
  return {
    ...outcome,
    action: replacedLive ? 'restarted' : 'started',
    container: containerView(info),
    differences,
    removed,
    waitedForHealth,
  };
}

/**
 * Removes what stands in the way of the new container: a live one being
 * replaced goes through the stop sequence (its hooks included); a stopped,
 * crash-looping or paused leftover is simply removed.
 */
async function clearTheWay(
  session: Session,
  place: ServerPlace,
  existing: ContainerInfo,
  replacingLive: boolean,
  differences: readonly string[],
  options: StartOptions,
): Promise<StoppedContainer[]> {
  if (replacingLive) {
    const reason = differences.length > 0 ? 'its image or spec differs' : 'a restart was asked for';
    options.onEvent?.({ type: 'removing', container: existing, reason });
    return (await stopUnderLock(session, place.dataDir, options, [existing])).containers;
  }
  options.onEvent?.({ type: 'removing', container: existing, reason: `it is ${existing.state}` });
  return [
    await removeGracefully(session.engine, existing, session.settings.server.stopTimeout, options.signal),
  ];
}

/**
 * Creates, starts and waits. A container that did not start is stopped and
 * kept, with its last output quoted in the error (its evidence); whatever
 * else goes wrong (an interruption too) removes it again.
 */
async function createAndWait(
  session: Session,
  place: ServerPlace,
  spec: ContainerSpec,
  options: StartOptions,
): Promise<{ info: ContainerInfo; waitedForHealth: boolean }> {
  const { engine, settings } = session;
  const { signal } = options;
  if (signal?.aborted) throw interruption(signal);
  const id = await createOrExplain(session, place, spec);
  let waitedForHealth = false;
  try {
    options.onEvent?.({ type: 'created', id, name: spec.name });
    if (signal?.aborted) throw interruption(signal);
    await startOrExplain(session, id, spec.name);
    const info = await waitReady(engine, id, {
      name: spec.name,
      timeoutMs: settings.server.readyTimeout,
      settleMs: settings.server.settleTime,
      signal,
      onHealthWait: () => {
        waitedForHealth = true;
        options.onEvent?.({ type: 'waiting-for-health', name: spec.name });
      },
    });
    return { info, waitedForHealth };
  } catch (error) {
    if (isStigmerError(error) && error.code === 'SERVER_START_FAILED' && !signal?.aborted)
      throw await keptAsEvidence(session, id, spec.name, error);
    await engine.removeContainer(id, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * Reads the last output of a container that did not start, then stops it
 * (a crash loop ends there) and keeps it for `server logs`; when it cannot
 * be stopped, it is removed. The error carries the output either way.
 */
async function keptAsEvidence(session: Session, id: string, name: string, error: StigmerError) {
  const { engine, settings, pipeline } = session;
  const output = await lastOutput(engine, id, (text) => pipeline.redact(text));
  let kept = true;
  try {
    await engine.stopContainer(id, Math.round(settings.server.stopTimeout / 1000));
  } catch {
    kept = false;
    await engine.removeContainer(id, { force: true }).catch(() => {});
  }
  return withEvidence(error, name, output, kept);
}

/**
 * Creates the container. The name can be taken between the lookup and the
 * create, by anyone (another stigmer with another data folder, starting at
 * this moment, or `docker run`): the engine refuses with 409, and that holder
 * is named, never removed.
 */
async function createOrExplain(session: Session, place: ServerPlace, spec: ContainerSpec): Promise<string> {
  try {
    return await session.engine.createContainer(spec);
  } catch (error) {
    if (!isStigmerError(error) || error.details.statusCode !== 409) throw error;
    const holder = await session.engine.inspectContainer(spec.name);
    if (holder && !ownedHere(holder, place.dataDir)) throw nameTaken(holder, place.dataDir);
    throw error;
  }
}

/** Starts the container; an engine that refuses (no such executable, a bad mount) means it did not start. */
async function startOrExplain(session: Session, id: string, name: string): Promise<void> {
  try {
    await session.engine.startContainer(id);
  } catch (error) {
    if (!isStigmerError(error) || error.code !== 'ENGINE_FAILED') throw error;
    throw new ServerError(
      'SERVER_START_FAILED',
      `The agent-runner container ${name} did not start. ${error.message}`,
      {
        cause: error,
        details: { container: name },
      },
    );
  }
}

/** What differs between the running container and the wanted one; empty when it can stay. */
function differencesFrom(running: ContainerInfo, wanted: SpecFingerprint, spec: ContainerSpec): string[] {
  // Only ever called for a container owned here (same labels, same data folder).
  const lines: string[] = [];
  if (running.imageId !== wanted.image) {
    lines.push(`image: ${shortId(running.imageId)} → ${shortId(wanted.image)} (${spec.image})`);
  }
  const recorded = parseFingerprint(running.labels[LABELS.spec]);
  if (!recorded) lines.push('its recorded spec (label org.stigmer.spec) is missing or unreadable');
  else if (running.labels[LABELS.specHash] !== fingerprintHash(wanted)) {
    // The image line above already says it if the image changed.
    lines.push(...fingerprintDifferences({ ...recorded, image: wanted.image }, wanted));
  }
  lines.push(...secretDifferences(spec, running.env));
  return lines;
}

/** Like Promise.all for two, but waits for both before throwing, so no pull is left running unwatched. */
export async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
}

const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

function configChanged(running: ContainerInfo, differences: string[]): ServerError {
  return new ServerError(
    'SERVER_CONFIG_CHANGED',
    [
      `The agent-runner container ${running.name} is running with a different image or configuration:`,
      ...differences.map((d) => `  - ${d}`),
      '',
      'It was left running. To replace it, run `stigmer server start --restart` (or `stigmer server restart`).',
    ].join('\n'),
    { details: { container: running.name, id: running.id, differences } },
  );
}

function stateOf(
  info: ContainerInfo,
  image: ResolvedImage,
  specHash: string,
  cliVersion: string | undefined,
): ServerState {
  return {
    containerId: info.id,
    containerName: info.name,
    imageReference: image.reference,
    imageId: image.id,
    imageDigest: image.digest,
    specHash,
    cliVersion: cliVersion ?? 'unknown',
    startedAt: info.startedAt,
  };
}
