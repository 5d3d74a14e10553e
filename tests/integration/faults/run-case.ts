import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT_CODES, EXIT_USAGE } from '../../../packages/cli/src/exit-codes.js';
import { type CliResult, STIGMER_BIN } from '../cli/run.js';
import { harness, harnessDocker } from '../harness/context.js';
import { startEngineProxy } from '../harness/engine-proxy.js';
import type { FaultProxy } from '../harness/fault-proxy.js';
import { imageExists as hasImage, removeImages } from '../harness/images.js';
import { spawnCollect } from '../harness/process.js';
import { cleanupFixtures, cliEnv, inspect, serverFixture, serverImage } from '../server/helpers.js';
import { startStallingRegistry } from '../server/stalling-registry.js';
import type { CaseOutcome, FaultCase, RunSpec, World, WorldBase } from './fault-case.js';

/** What a run printed when Node itself reported an error: `    at fn (file:1:2)`, `node:internal`, `Node.js v20`. */
const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$|node:internal\/|^Node\.js v\d+/m;
/** Exit codes stigmer documents (the CLI's one table, which the README shows): anything else is a crash. 1 is "a bug". */
const DOCUMENTED_EXITS = new Set([0, EXIT_USAGE, ...Object.values(EXIT_CODES), 143]);
const DEFAULT_HANG_MS = 30_000;

/** A finished run, and whether it had to be killed. */
type Run = CliResult & { hung: boolean };

/**
 * Runs one row of the matrix: builds its world, makes its runs, judges each
 * (exit code or signal, message, stack traces, hangs), then looks at what is
 * left (lock files, temporary files, containers, image tags) and undoes the
 * world. Never throws for a failed expectation: the outcome says what failed.
 */
export async function runCase(c: FaultCase, proxy: FaultProxy): Promise<CaseOutcome> {
  const outcome: CaseOutcome = {
    name: c.name,
    classified: true,
    hangs: 0,
    stackTraces: 0,
    leftBehind: [],
    failures: [],
  };
  const undo: Array<() => unknown> = [];
  proxy.clear();
  try {
    const world = await makeWorld(c, proxy, undo);
    const foreign = c.foreign ? await foreignContainer(world, c.foreign, undo) : undefined;
    const before = await snapshot(world);
    const runs = typeof c.runs === 'function' ? c.runs(world) : c.runs;
    for (const [index, spec] of runs.entries()) {
      const results = await Promise.all(Array.from({ length: spec.times ?? 1 }, () => execute(spec, world)));
      for (const result of results)
        judge(outcome, `run ${index + 1} (${describe(spec)})`, spec, result, world);
      try {
        await spec.check?.(world, results);
      } catch (error) {
        outcome.classified = false;
        outcome.failures.push(`run ${index + 1} (${describe(spec)}): ${(error as Error).message}`);
      }
    }
    if (c.keeps === 'stopped container') await checkKept(outcome, world);
    if (foreign) await checkForeign(outcome, foreign);
    outcome.leftBehind = await leftovers(world, before, c);
  } catch (error) {
    outcome.classified = false;
    outcome.failures.push(`the case itself failed: ${(error as Error).stack ?? error}`);
  } finally {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
    proxy.clear();
    proxy.closeStalled();
    proxy.requests.length = 0;
    await cleanupFixtures();
  }
  return outcome;
}

async function makeWorld(c: FaultCase, proxy: FaultProxy, undo: Array<() => unknown>): Promise<World> {
  let stalling: ReturnType<WorldBase['stalling']> | undefined;
  let engine: ReturnType<WorldBase['engineProxy']> | undefined;
  const pulled: string[] = [];
  undo.push(() => removeImages(harnessDocker(), pulled));
  const base: WorldBase = {
    proxy,
    pulled,
    defer: (step) => undo.push(step),
    stalling: () => {
      stalling ??= startStallingRegistry().then((registry) => {
        // Stalled transfers must be torn down, or the engine hangs the next pull of that layer.
        undo.push(() => registry.close());
        return registry;
      });
      return stalling;
    },
    engineProxy: () => {
      engine ??= startEngineProxy(harness().dockerHost).then((engineProxy) => {
        undo.push(() => engineProxy.stop());
        return engineProxy;
      });
      return engine;
    },
  };
  const fixture = await serverFixture((await c.fixture?.(base)) ?? {});
  const world: World = {
    ...base,
    fixture,
    env: {},
    file: (name) => path.join(fixture.cwd, name),
    write: (name, content) => writeFile(path.join(fixture.cwd, name), content),
    remove: (name) => rm(path.join(fixture.cwd, name), { force: true }),
  };
  await c.setup?.(world);
  return world;
}

/** Runs stigmer as the spec says, sends its signals, and kills it if it runs past its hang limit. */
function execute(spec: RunSpec, world: World): Promise<Run> {
  const env = cliEnv(world.fixture, { ...world.env, ...spec.env });
  const [command, args] = spec.shell
    ? ['bash', ['-c', spec.shell]]
    : [process.execPath, [STIGMER_BIN, ...spec.args]];
  if (spec.shell) env.STIGMER = `${process.execPath} ${STIGMER_BIN}`;
  // Its own process group, so a hung shell pipeline is killed whole.
  const run = spawnCollect(command, args as string[], { cwd: world.fixture.cwd, env, detached: true });
  const { child } = run;
  let hung = false;
  let ended = false;
  const hangTimer = setTimeout(() => {
    hung = true;
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, spec.hangMs ?? DEFAULT_HANG_MS);
  const done = run.done.then((result) => {
    ended = true;
    clearTimeout(hangTimer);
    return { ...result, hung };
  });
  // A trigger that never fires leaves the run to its hang limit, which reports it.
  void (async () => {
    for (const { signal, when } of spec.interrupt ?? []) {
      if (typeof when === 'number') await new Promise((resolve) => setTimeout(resolve, when));
      else await Promise.race([when(world, run.output), done]);
      if (ended) return;
      child.kill(signal);
    }
  })().catch(() => undefined);
  return done;
}

/** Checks one run against its spec; records what did not match. */
function judge(outcome: CaseOutcome, label: string, spec: RunSpec, run: Run, world: World): void {
  const output = `${run.stdout}\n${run.stderr}`;
  const fail = (why: string) => {
    outcome.classified = false;
    outcome.failures.push(`${label}: ${why}\n--- stdout:\n${run.stdout}\n--- stderr:\n${run.stderr}`);
  };
  if (run.hung) {
    outcome.hangs++;
    fail(`still running after ${spec.hangMs ?? DEFAULT_HANG_MS} ms (a hang): killed`);
    return;
  }
  if (STACK_TRACE.test(output)) {
    outcome.stackTraces++;
    fail('printed a stack trace');
  }
  const ended = run.signal ?? run.exitCode;
  if (ended !== spec.exit) fail(`ended with ${ended}, expected ${spec.exit}`);
  else if (typeof ended === 'number' && !DOCUMENTED_EXITS.has(ended))
    fail(`exit code ${ended} is not documented`);
  if (/Internal error|This is a bug in stigmer/.test(output))
    fail('reported an internal error (a bug) for a fault');
  for (const expected of spec.says ?? []) {
    const want = typeof expected === 'function' ? expected(world) : expected;
    const found = typeof want === 'string' ? output.includes(want) : want.test(output);
    if (!found) fail(`its output lacks ${want}`);
  }
  for (const secret of spec.hides ?? []) {
    if (output.includes(secret(world))) fail('its output holds a secret');
  }
}

/** A kept container must be there and stopped; `server stop` must then remove it. */
async function checkKept(outcome: CaseOutcome, world: World): Promise<void> {
  const kept = await inspect(world.fixture.name);
  if (!kept) outcome.failures.push('the failed container was not kept');
  else if (kept.State.Running || kept.State.Restarting)
    outcome.failures.push('the kept container still runs');
  const stop = await execute({ args: ['server', 'stop'], exit: 0 }, world);
  judge(
    outcome,
    'server stop (removes the kept container)',
    { args: ['server', 'stop'], exit: 0 },
    stop,
    world,
  );
  if (outcome.failures.length > 0) outcome.classified = false;
}

/** A container stigmer must not touch, as it was before the runs. */
interface Foreign {
  id: string;
  state: 'running' | 'stopped';
}

async function foreignContainer(
  world: World,
  state: Foreign['state'],
  undo: Array<() => unknown>,
): Promise<Foreign> {
  // What someone's own `docker run --name` leaves: no stigmer labels at all.
  const container = await harnessDocker().createContainer({
    name: world.fixture.name,
    Image: await serverImage(),
    Cmd: ['sh', '-c', 'while :; do sleep 1; done'],
    HostConfig: { Init: true },
  });
  undo.push(() => removeContainer(container.id));
  if (state === 'running') await container.start();
  return { id: container.id, state };
}

/** The foreign container is still there, the same one, in the same state; then it is removed. */
async function checkForeign(outcome: CaseOutcome, foreign: Foreign): Promise<void> {
  const now = await inspect(foreign.id);
  if (!now) outcome.failures.push(`stigmer removed the foreign container ${foreign.id.slice(0, 12)}`);
  else if (now.State.Running !== (foreign.state === 'running'))
    outcome.failures.push(`stigmer changed the foreign container's state (running: ${now.State.Running})`);
  if (outcome.failures.length > 0) outcome.classified = false;
  await removeContainer(foreign.id);
}

function removeContainer(id: string): Promise<unknown> {
  return harnessDocker()
    .getContainer(id)
    .remove({ force: true })
    .catch(() => undefined);
}

interface Snapshot {
  dataFiles: Set<string>;
  localTag: boolean;
}

async function snapshot(world: World): Promise<Snapshot> {
  return {
    dataFiles: new Set(await readdir(world.fixture.dataDir).catch(() => [])),
    localTag: await imageExists(world.fixture.localTag),
  };
}

/** What stigmer left that was not there before and should not be: files, containers, tags. */
async function leftovers(world: World, before: Snapshot, c: FaultCase): Promise<string[]> {
  const { dataDir, name, localTag } = world.fixture;
  const left: string[] = [];
  for (const file of await readdir(dataDir).catch(() => [])) {
    const ours = /^server\.lock|\.tmp$|^agent-runner\.json$/.test(file);
    if (ours && !before.dataFiles.has(file)) left.push(`file ${path.join(dataDir, file)}`);
  }
  const docker = harnessDocker();
  const labelled = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`org.stigmer.data-dir=${dataDir}`] }),
  });
  const named = await inspect(name);
  const ids = new Set([...labelled.map((container) => container.Id), ...(named ? [named.Id] : [])]);
  for (const id of ids) left.push(`container ${id.slice(0, 12)}`);
  if (!c.pulls) {
    if (!before.localTag && (await imageExists(localTag))) left.push(`image tag ${localTag}`);
    for (const reference of world.pulled) {
      if (await imageExists(reference)) left.push(`image ${reference}`);
    }
  }
  return left;
}

const imageExists = (reference: string) => hasImage(harnessDocker(), reference);

function describe(spec: RunSpec): string {
  return spec.shell ?? `stigmer ${spec.args.join(' ')}${spec.times ? ` x${spec.times}` : ''}`;
}
