/**
 * Every hook stigmer runs, declared once. Plugins tap them through
 * `PluginHooks` (see `plugin/types.ts`); core runs them through the tapable
 * hooks that `createHooks` builds. Each tap receives the payload and a
 * `HookContext` (its options, an AbortSignal, the engine, a logger).
 */
import { AsyncSeriesBailHook, AsyncSeriesHook, AsyncSeriesWaterfallHook } from 'tapable';
import type { Credential, CredentialRequest } from './credentials/types.js';
import type { ContainerSpec } from './engine/types.js';
import type { ImageVerdict, ResolvedImage, ResolveRequest, UnresolvedReport } from './image/types.js';
import type {
  RuntimeDeployRequest,
  RuntimeLogs,
  RuntimeLogsRequest,
  RuntimeLookup,
  RuntimeRollout,
  RuntimeStopped,
  RuntimeStopRequest,
  RuntimeTarget,
  RuntimeUpdateRequest,
} from './lifecycle/runtime-types.js';
import type { StartedContainer, StartRequest, StopRequest, StopResult } from './lifecycle/types.js';
import type { ManifestRequest, RenderedManifest } from './manifest/types.js';

/** Payload and result of one hook, as a plugin's tap sees them. */
export interface HookSignature<Payload, Result> {
  payload: Payload;
  result: Result;
}

/** The hooks, their payloads and what a tap may return. */
export interface HookSignatures {
  /**
   * The image-resolution chain. Runs in plugin order whenever an image is
   * needed (`image resolve`, `image pull`, `server start`).
   * Receives the request. Return a `ResolvedImage` to resolve and stop the
   * chain, or `undefined` to pass to the next plugin (say why with
   * `ctx.note`). `null` or a malformed image is a `PLUGIN_INVALID_RESULT` error,
   * and so is an image the engine contradicts: core inspects the returned
   * `reference`, which must exist and have the returned `id`.
   */
  resolveImage: HookSignature<ResolveRequest, ResolvedImage | undefined>;
  /**
   * Registry credentials, a chain of providers. Runs when a plugin calls
   * `ctx.credentials(registry, repository)`. Return a `Credential` to answer,
   * or `undefined` to let the next provider try; if none answers the pull is
   * anonymous. Secrets in the answer never reach the trace or any output.
   */
  credentials: HookSignature<CredentialRequest, Credential | undefined>;
  /**
   * Checks on the image the chain resolved (version, digest, platform). Runs
   * once per resolved image, in plugin order. Return `undefined` to accept,
   * `{ action: 'reject', reason }` to refuse (the run fails with
   * `IMAGE_REJECTED`), or `{ action: 'retry', reason, request }` to run the
   * chain again with parts of the request changed (at most twice per run).
   */
  imageResolved: HookSignature<ResolvedImage, ImageVerdict | undefined>;
  /**
   * Runs once when no resolver produced an image: when every resolver passed
   * (the run then fails with `IMAGE_UNRESOLVED`), and when a resolver's pull
   * failed (`failure` holds it; the run fails with the pull's own code and
   * message, the hints after it). Receives what every resolver tried. Return
   * text to add to the error message (a hint), or `undefined` to add nothing.
   * Every tap runs; hints appear in plugin order.
   */
  unresolved: HookSignature<UnresolvedReport, string | undefined>;
  /**
   * Runs before the container is created, after the image resolved, under
   * the lifecycle lock. Also runs when the container already runs and may be
   * kept (`existing` says what is there). Throw to refuse the start (port in
   * use, missing API key...). Return nothing.
   */
  beforeStart: HookSignature<StartRequest, void>;
  /**
   * A waterfall that builds the container spec. Receives the spec built so
   * far (core's defaults first); return a changed spec, or `undefined` to keep
   * it. Runs after `beforeStart`, before the container is created. Put
   * secret values in `env` and their keys in `secretEnv`. What it returns is
   * recorded (secrets left out) to tell a later start whether anything changed.
   */
  containerSpec: HookSignature<ContainerSpec, ContainerSpec | undefined>;
  /**
   * Runs after the container started and passed its readiness checks, or
   * after a start found it already running with the same spec
   * (`alreadyRunning`). Start other components here, idempotently. Return nothing.
   */
  afterStart: HookSignature<StartedContainer, void>;
  /**
   * Runs before the container is stopped (`server stop`, or a restart that
   * replaces it), also when there is none (`containerId` undefined). Stop
   * other components here. Return nothing.
   */
  beforeStop: HookSignature<StopRequest, void>;
  /** Runs after the container was stopped and removed. Return nothing. */
  afterStop: HookSignature<StopResult, void>;

  // --- The runtime (plugin API 1.2) -----------------------------------------
  // What runs the agent-runner. Core's default runtime is one container on the
  // session's engine (the lifecycle in lifecycle/start.ts, stop.ts...); a
  // runtime plugin (`swarm`) taps all six hooks and answers each call, and the
  // lifecycle then asks it instead. The first tap to answer wins, in config
  // order; every answer names its `runtime`. Each is a bail hook: return
  // `undefined` only to let another runtime plugin answer.

  /**
   * Finds what the runtime runs for this target (for `server start`, side by
   * side with the image resolution). Return `{ runtime, found }`, `found`
   * undefined when there is nothing; its labels carry core's fingerprint
   * labels, so an unchanged spec is "already running".
   */
  runtimeFind: HookSignature<RuntimeTarget, RuntimeLookup | undefined>;
  /**
   * Creates the deployment from the spec and waits until it runs (every
   * replica). Runs after `containerSpec`, under the lifecycle lock. Deliver
   * the `secretEnv` values as secrets of the runtime, never in a spec anyone
   * can inspect. Return a `RuntimeRollout`; throw a `ServerError` when it did
   * not start, naming the units that failed. When `ctx.signal` aborts on
   * Ctrl-C, remove what you made before settling: stigmer waits up to 15 s
   * for this hook (and `runtimeUpdate`, `runtimeStop`) to settle.
   */
  runtimeCreate: HookSignature<RuntimeDeployRequest, RuntimeRollout | undefined>;
  /**
   * Changes a running deployment to the new spec (a rolling update) and waits
   * until it converges or rolls back; `force` rolls it although nothing
   * changed (`server restart`). Return a `RuntimeRollout` (`rolled-back`
   * with the failed units when the runtime went back).
   */
  runtimeUpdate: HookSignature<RuntimeUpdateRequest, RuntimeRollout | undefined>;
  /** `server status`: the deployment with every unit (node, state, image, error). Return `{ runtime, found }`. */
  runtimeInspect: HookSignature<RuntimeTarget, RuntimeLookup | undefined>;
  /**
   * `server logs`: a stream of the deployment's output, each line prefixed
   * with its unit; following until the target's signal aborts when asked.
   * Throw `ServerError('SERVER_NOT_FOUND')` when there is nothing to show.
   */
  runtimeLogs: HookSignature<RuntimeLogsRequest, RuntimeLogs | undefined>;
  /**
   * `server stop`: removes the deployment and what was made for it (its
   * secrets), between `beforeStop` and `afterStop`. Return what was removed.
   */
  runtimeStop: HookSignature<RuntimeStopRequest, RuntimeStopped | undefined>;

  // ── Manifests (plugin API 1.2): rendering the server for other runtimes ──

  /**
   * Renders the server as manifests for another runtime
   * (`stigmer server manifest --format <format>`). Runs after the image
   * resolved and the `containerSpec` waterfall built the spec, exactly as
   * `server start` would run it; nothing is created. Return a
   * `RenderedManifest` when `request.format` is yours (check it against your
   * format's schema first: an invalid object is a `ManifestError`
   * `MANIFEST_INVALID` naming the field), or `undefined` to let the next
   * plugin try. Put secret values in the output only when
   * `request.includeSecrets` is true; otherwise reference them and say in a
   * note how to supply them. No tap answering is `MANIFEST_FORMAT_UNKNOWN`.
   */
  renderManifest: HookSignature<ManifestRequest, RenderedManifest | undefined>;
}

/** The name of a hook. */
export type HookName = keyof HookSignatures;

/**
 * How core runs a hook: `bail` stops at the first non-undefined result,
 * `waterfall` threads the payload through every tap, `series` and `collect`
 * run every tap (`collect` gathers the results).
 */
export type HookKind = 'bail' | 'series' | 'waterfall' | 'collect';

const KINDS = {
  resolveImage: 'bail',
  credentials: 'bail',
  imageResolved: 'bail',
  unresolved: 'collect',
  beforeStart: 'series',
  containerSpec: 'waterfall',
  afterStart: 'series',
  beforeStop: 'series',
  afterStop: 'series',
  // The runtime (plugin API 1.2)
  runtimeFind: 'bail',
  runtimeCreate: 'bail',
  runtimeUpdate: 'bail',
  runtimeInspect: 'bail',
  runtimeLogs: 'bail',
  runtimeStop: 'bail',
  // Manifests (plugin API 1.2)
  renderManifest: 'bail',
} as const satisfies Record<HookName, HookKind>;

/** The kind of every hook, in the order they run in a `server start`. */
export const HOOK_KINDS: { readonly [K in HookName]: HookKind } = Object.freeze(KINDS);

/** All hook names. */
export const HOOK_NAMES = Object.freeze(Object.keys(HOOK_KINDS) as HookName[]);

type Tapable<K extends HookName> = (typeof KINDS)[K] extends 'bail'
  ? AsyncSeriesBailHook<[HookSignatures[K]['payload']], HookSignatures[K]['result']>
  : (typeof KINDS)[K] extends 'waterfall'
    ? AsyncSeriesWaterfallHook<[HookSignatures[K]['payload']]>
    : AsyncSeriesHook<[HookSignatures[K]['payload']]>;

/** The tapable hooks behind `HookSignatures`; internal to core. */
export type Hooks = { readonly [K in HookName]: Tapable<K> };

/** Builds a fresh, frozen set of hooks for one pipeline. */
export function createHooks(): Hooks {
  const args = ['payload'] as const;
  const make = (kind: HookKind) =>
    kind === 'bail'
      ? new AsyncSeriesBailHook(args)
      : kind === 'waterfall'
        ? new AsyncSeriesWaterfallHook(args)
        : new AsyncSeriesHook(args);
  const hooks = Object.fromEntries(HOOK_NAMES.map((name) => [name, make(HOOK_KINDS[name])]));
  return Object.freeze(hooks) as unknown as Hooks;
}
