/** How a registry plugin decides whether to contact the registry. */
export type PullPolicy = 'missing' | 'always' | 'never' | 'newer';

/** What the resolution chain is asked to find. Built by core from config and flags. */
export interface ResolveRequest {
  /**
   * The canonical local name the agent-runner runs from
   * (default `stigmer-agent-runner:local`). Registry plugins tag what they
   * pull with it, after the pull has been verified.
   */
  readonly localTag: string;
  /** `os/arch[/variant]` the image must have, for example `linux/arm64`. Undefined: the engine's own. */
  readonly platform: string | undefined;
  /**
   * `resolve` accepts a local image; `pull` (from `stigmer image pull`) asks
   * registry plugins to fetch even when one exists.
   */
  readonly purpose: 'resolve' | 'pull';
  /** The pull policy registry plugins honour; `missing` unless configured. */
  readonly pullPolicy: PullPolicy;
  /**
   * With `newer`: check the registry at most once per this many ms, measured
   * from stigmer's own record of the last check. Undefined: check every time.
   */
  readonly pullInterval?: number | undefined;
  /** `pull.*` settings (retries, backoff, stall timeout) for registry plugins' pulls. */
  readonly pull?: { retries: number; retryDelayMs: number; stallTimeoutMs: number } | undefined;
  /** True when nothing may touch the network. */
  readonly offline: boolean;
  /**
   * True when the user asked to build the image from its sources (`--build`,
   * `STIGMER_BUILD=1`): a plugin that can build (such as rebuild) builds.
   */
  readonly build: boolean;
  /** The CLI's version (`0.3.1`, `0.4.0-dev`...), used to pick a tag. */
  readonly cliVersion: string;
}

/** An image a resolver found or produced. Validated by core before the chain stops. */
export interface ResolvedImage {
  /** The reference to run it by; normally the request's `localTag`. */
  reference: string;
  /** The engine's image id (`sha256:...`). */
  id: string;
  /** The registry digest (`repo@sha256:...`) when the image came from a registry. */
  digest?: string | undefined;
  /** `os/arch[/variant]` of the image as the engine reports it. */
  platform?: string | undefined;
  /**
   * Where it came from, as a place that reads after "from": `local engine`,
   * `registry 127.0.0.1:5000/...`, `archive /x/agent-runner.tar`.
   */
  source: string;
  /** Image labels, as the engine reports them. */
  labels?: Readonly<Record<string, string>> | undefined;
}

/**
 * What an after-resolve check may return: nothing to accept the image,
 * `reject` to refuse it (the run fails), or `retry` to run the chain again
 * with parts of the request changed (for example `pullPolicy: 'always'`).
 */
export type ImageVerdict =
  | { action: 'reject'; reason: string }
  | { action: 'retry'; reason: string; request?: Partial<Pick<ResolveRequest, 'pullPolicy' | 'purpose'>> };

/**
 * The pull that ended the chain, when a resolver failed with a `PullError`
 * (any class: unreachable, rate limited, unauthorized, stalled...). Its
 * message is already shown first; hints add what to do about it.
 */
export interface PullFailure {
  /** The error code, such as `PULL_TRANSIENT`; it decides the exit code. */
  readonly code: string;
  /** The classified message: what happened, what was tried, what to do. */
  readonly message: string;
  /** The plugin that failed. */
  readonly plugin: string | undefined;
  /** The registry reference it tried to pull, when known. */
  readonly reference: string | undefined;
  /** The engine's or registry's own words for the failure, when known. */
  readonly error: string | undefined;
}

/** What the unresolved hook is told when no resolver produced an image. */
export interface UnresolvedReport {
  readonly request: ResolveRequest;
  /** Every resolver call of this run, in order, with the reason it passed (or failed). */
  readonly attempts: readonly import('../trace/trace.js').TraceEntry[];
  /**
   * One line per entry of `attempts`, as core's own messages list them
   * (`  - stigmer:ghcr: pull of ... failed (manifest unknown)`): ready to
   * quote under a "what each plugin tried" heading.
   */
  readonly tried: readonly string[];
  /** Set when the chain ended because a pull failed rather than because every resolver passed. */
  readonly failure?: PullFailure | undefined;
}
