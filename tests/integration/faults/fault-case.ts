import type { CliResult } from '../cli/run.js';
import type { EngineProxy } from '../harness/engine-proxy.js';
import type { FaultProxy } from '../harness/fault-proxy.js';
import type { FixtureOptions, ServerFixture } from '../server/helpers.js';
import type { StallingRegistry } from '../server/stalling-registry.js';

/**
 * One row of the fault matrix: a thing that goes wrong, the stigmer runs it
 * hits, and what each run must end with. The runner (`run-case.ts`) adds
 * the checks every row shares: no hang, no stack trace, nothing left behind.
 */
export interface FaultCase {
  /** What goes wrong, and what stigmer does about it: the test's name. */
  name: string;
  /** The class of fault, for the summary: engine, registry, signal, state, config, readiness, output. */
  fault: FaultClass;
  /** The project and data folder (server/helpers' `serverFixture`); may start registries first. */
  fixture?: (world: WorldBase) => FixtureOptions | Promise<FixtureOptions>;
  /** Breaks something before the runs (a lock file, an engine proxy, a config file). */
  setup?: (world: World) => Promise<void>;
  /** The runs, in order. */
  runs: RunSpec[] | ((world: World) => RunSpec[]);
  /**
   * What stigmer leaves on purpose: a container that did not start is kept,
   * stopped, as evidence. It is checked to be there and stopped, then
   * `server stop` must remove it.
   */
  keeps?: 'stopped container';
  /** The runs pulled the image on purpose: the local tag may stay (removed after the case). */
  pulls?: boolean;
  /**
   * A container of the configured name that stigmer did not create (no
   * labels), made before the runs: it must be there afterwards, the same
   * container in the same state (stigmer never touches it), and is then removed.
   */
  foreign?: 'running' | 'stopped';
}

export type FaultClass =
  | 'engine'
  | 'registry'
  | 'signal'
  | 'state'
  | 'config'
  | 'readiness'
  | 'output'
  | 'archive'
  | 'plugin'
  | 'ownership';

/** One stigmer run and how it must end. */
export interface RunSpec {
  args: string[];
  /** Environment for this run, over the case's. */
  env?: Record<string, string>;
  /** The exit code it must end with, or the signal that must end it (a second Ctrl-C, a plugin that never yields). */
  exit: number | NodeJS.Signals;
  /** Text its output (stdout and stderr together) must hold. */
  says?: Array<string | RegExp | ((world: World) => string | RegExp)>;
  /** Text its output must not hold (secrets). */
  hides?: Array<(world: World) => string>;
  /**
   * Signals to send, in order, each when its trigger resolves: a function, or
   * a number of ms after the previous signal (after the start, for the first).
   */
  interrupt?: Array<{
    signal: NodeJS.Signals;
    when: number | ((world: World, output: () => string) => Promise<void>);
  }>;
  /** Run it through `bash -c`, the CLI as $STIGMER (for pipes: `$STIGMER config print | head -1`). */
  shell?: string;
  /** Start this many at once (concurrent starts). Default 1. */
  times?: number;
  /** Running longer than this is a hang: the run is killed and counted. Default 30 s. */
  hangMs?: number;
  /** More checks of the results (JSON documents, the engine's view). */
  check?: (world: World, results: CliResult[]) => void | Promise<void>;
}

/** What a case's fixture function can use: shared registries and a place to register clean-ups. */
export interface WorldBase {
  /** The fault proxy in front of the open registry, reset before each case. */
  proxy: FaultProxy;
  /** Undone after the case, last first. */
  defer(undo: () => unknown): void;
  /** A registry whose layer blob stalls forever (started on first use, closed after the case). */
  stalling(): Promise<StallingRegistry>;
  /** An engine proxy in front of the harness's engine (started on first use, stopped after the case). */
  engineProxy(): Promise<EngineProxy>;
  /** Image references the case may have pulled: removed after it. */
  pulled: string[];
}

/** Everything a case works with. */
export interface World extends WorldBase {
  fixture: ServerFixture;
  /** Environment for every run of the case (an engine proxy's DOCKER_HOST...). */
  env: Record<string, string>;
  /** A path in the project folder. */
  file(name: string): string;
  write(name: string, content: string): Promise<void>;
  remove(name: string): Promise<void>;
}

/** How one case went, for its assertions and the summary line. */
export interface CaseOutcome {
  name: string;
  /** Every run ended with the exit code (or signal) and the message expected of it. */
  classified: boolean;
  hangs: number;
  stackTraces: number;
  /** What stigmer left that it should not have (files, containers, tags), described. */
  leftBehind: string[];
  /** Why a run did not end as expected. */
  failures: string[];
}
