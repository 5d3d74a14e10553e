import type { Credential } from '../credentials/types.js';
import type { Engine, PullEvent } from '../engine/types.js';
import type { TraceEntry } from '../trace/trace.js';

/** Facts about the run that every plugin may read. */
export interface RunInfo {
  /** The CLI's version; dev builds end in `-dev`. */
  readonly cliVersion: string;
  /** The folder the command runs in. */
  readonly cwd: string;
  /** The config file in force, or `undefined` for the embedded default. */
  readonly configFile: string | undefined;
  /** The process environment, read-only. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Decisions made so far in this run, oldest first. */
  readonly trace: readonly TraceEntry[];
  /**
   * The names of the plugins loaded for this run, in config order (a hint
   * can then say `--build` only when the rebuild plugin is there to act on it).
   */
  readonly plugins: readonly string[];
  /**
   * The effective settings by key, as `stigmer config print` lists them
   * (`llm.model`, `image.localTag`, `server.containerName`...), after flags,
   * environment, config files and defaults. Read, never write.
   */
  readonly settings: Readonly<Record<string, unknown>>;
  /**
   * stigmer's data folder (`server.dataDir`, `STIGMER_DATA_DIR`, default
   * `~/.stigmer/data`), for records a plugin keeps between runs (when a
   * registry was last checked, a mirror's cool-down). It may not exist yet:
   * create it with mode 0700.
   */
  readonly dataDir: string;
}

/** A progress event attributed to the plugin that produced it. */
export interface ProgressEvent {
  plugin: string;
  reference: string;
  event: PullEvent;
}

/** Logging that feeds the run's trace (and, for `warn`, the user's terminal). */
export interface PluginLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** Extra facts a plugin records about its decision (see `HookContext.note`). */
export interface NoteDetail {
  /** The image reference it worked on. */
  reference?: string;
  /** The error it met and absorbed, as text. */
  error?: string;
}

/**
 * The one context object every hook receives as its last argument, the same
 * shape for every hook. It is built per call, so `signal` and `note` belong to
 * this plugin's call alone.
 */
export interface HookContext<Options = unknown> {
  /** The plugin being called. */
  readonly plugin: { readonly name: string; readonly version: string };
  /** The hook being run. */
  readonly hook: string;
  /** This plugin's options, validated against its schema. */
  readonly options: Options;
  /**
   * Aborted when the call times out or the user interrupts the run. Pass it to
   * anything that waits (engine calls, fetch, execa) so work stops promptly.
   */
  readonly signal: AbortSignal;
  /** The shared Docker engine facade. */
  readonly engine: Engine;
  readonly run: RunInfo;
  readonly log: PluginLogger;
  /**
   * Records why the plugin did what it did, shown by `--explain` and read by
   * later plugins (build-hint reads the failed pull's reference and error).
   */
  note(reason: string, detail?: NoteDetail): void;
  /** Reports pull progress; the CLI renders it. */
  progress(reference: string, event: PullEvent): void;
  /**
   * Asks the credentials hook for `registry`'s credentials. Resolves to
   * `undefined` for anonymous access. The answer's source is traced, never the
   * secret. After the registry rejected an answer, ask again with its source
   * in `exclude` for the next source (then the next, until none is left).
   */
  credentials(
    registry: string,
    repository: string,
    options?: { exclude?: readonly string[] },
  ): Promise<Credential | undefined>;
}
