import type { ImportedImage } from '../archive/import.js';
import type { Credential, CredentialRequest } from '../credentials/types.js';
import type { Engine, ImageInfo, PullEvent } from '../engine/types.js';
import type { PullDecision } from '../freshness/pull-decision.js';
import type { ResolvedImage, ResolveRequest } from '../image/types.js';
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

/** What `ctx.pull` is asked: a registry reference, for the request being resolved. */
export interface PullRequest {
  /** The registry reference to pull, e.g. `ghcr.io/stigmer/agent-runner:v0.1.0`. */
  reference: string;
  /**
   * The request the resolver was given: the pull tags the image with its
   * `localTag`, for its `platform`, with its `pull.*` settings, and records
   * the pull for its pull policy (an interval such as `24h` counts from it).
   */
  request: ResolveRequest;
  /** Retries after the first attempt; default the request's `pull.retries` (a mirror may want 0). */
  retries?: number | undefined;
  /** `source` of the resolved image; default `registry <reference>`. */
  source?: string | undefined;
  /** Added to the unauthorized message, e.g. `set GHCR_TOKEN to a token that can read packages`. */
  credentialHint?: string | undefined;
}

/**
 * The one context object every hook receives as its last argument, the same
 * shape for every hook. It is built per call, so `signal` and `note` belong to
 * this plugin's call alone. Besides facts and logging, it carries the
 * host's runtime (pulls, pull policy, credentials, archives): a plugin calls
 * them here rather than importing them, so it runs on the host's own copy.
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
  /**
   * Pulls an image the way the CLI does everywhere: credentials through the
   * `credentials` hook (a rejected source gives way to the next, then
   * anonymous), retries per failure class (`Retry-After` honoured, backoff
   * with jitter, a stall closed and retried), the platform checked, the
   * digest recorded, and only then the request's local tag. Throws a
   * `PullError` of the failure's class (`PULL_NOT_FOUND`, `PULL_UNAUTHORIZED`...)
   * and leaves no local tag. Under an interval pull policy the pull counts
   * as a check of the registry.
   */
  pull(pull: PullRequest): Promise<ResolvedImage>;
  /**
   * The request's pull policy for these registry references (the first
   * one is the one a `newer` check asks first): `skip` (offline, `never`),
   * `pull`, or `use-local` with the image to return. Every registry plugin
   * should ask before it pulls.
   */
  pullDecision(request: ResolveRequest, references: string | readonly string[]): Promise<PullDecision>;
  /**
   * Every registry digest (`name@sha256:...`) the image is known by: the
   * engine's `RepoDigests`, and those stigmer verified when it fetched the
   * image itself (a loaded image has none in the engine).
   */
  knownDigests(image: ImageInfo): Promise<string[]>;
  /**
   * True when an image of platform `actual` serves `wanted`: `linux/arm64`
   * matches `linux/arm64/v8` (variants count only when both name one).
   */
  platformMatches(actual: string, wanted: string): boolean;
  /**
   * A credential from a token in the environment: the first of `variables`
   * that is set and not in the request's `exclude`, as the password (with
   * `GITHUB_ACTOR`, else `x-access-token`, as the user name, which registries
   * that take tokens accept). Its `source` is the variable's name. For a
   * `credentials` tap that offers a token to the registries it belongs to.
   */
  tokenCredential(request: CredentialRequest, variables: readonly string[]): Credential | undefined;
  /**
   * Loads the image that the archive folder `dir` (written by `stigmer
   * image export`) lists as `name`, checked before it gets a name: a regular
   * file inside the folder, its SHA-256, exactly that image under no other
   * name, and the id and platform the engine reports; then tagged `name`.
   * `undefined` when the folder's manifest lists no such image. A refusal
   * is `IMAGE_REJECTED` and leaves the engine as it was.
   */
  importArchive(
    dir: string,
    name: string,
    options?: { platform?: string | undefined },
  ): Promise<ImportedImage | undefined>;
  /** Milliseconds the way users write durations in config: `90s`, `10m`, `3d`. */
  formatDuration(ms: number): string;
}
