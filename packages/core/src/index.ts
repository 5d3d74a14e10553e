/**
 * `@stigmer/core`: what a plugin author needs, and nothing else. A plugin
 * imports `definePlugin` (and the error classes it throws) at run time, and
 * types; everything it does at run time goes through the hook context
 * (`ctx.pull`, `ctx.pullDecision`, `ctx.credentials`...). Hosts such as the
 * CLI and `@stigmer/testing` use `@stigmer/core/host`.
 */

export type { ImportedImage } from './archive/import.js';
export type { Credential, CredentialRequest } from './credentials/types.js';
export type {
  SwarmEngine,
  SwarmNode,
  SwarmSecret,
  SwarmService,
  SwarmServiceSpec,
  SwarmTask,
} from './engine/swarm-types.js';
export type {
  ContainerInfo,
  ContainerSpec,
  Engine,
  EngineEndpoint,
  ImageHealthcheck,
  ImageInfo,
  LoadResult,
  MountSpec,
  PullEvent,
  PullOptions,
  PullResult,
  RegistryAuth,
} from './engine/types.js';
export type { ErrorCode, StigmerErrorOptions } from './errors.js';
export {
  ConfigError,
  EngineError,
  ImageError,
  InterruptedError,
  isStigmerError,
  ManifestError,
  PluginError,
  PullError,
  ServerError,
  StateError,
  StigmerError,
} from './errors.js';
export type { PullDecision } from './freshness/pull-decision.js';
export type { HookKind, HookName, HookSignature, HookSignatures } from './hooks.js';
export type {
  ImageVerdict,
  PullFailure,
  PullPolicy,
  ResolvedImage,
  ResolveRequest,
  UnresolvedReport,
} from './image/types.js';
export type {
  RuntimeDeployment,
  RuntimeDeployRequest,
  RuntimeLogs,
  RuntimeLogsRequest,
  RuntimeLookup,
  RuntimeRollout,
  RuntimeStopped,
  RuntimeStopRequest,
  RuntimeTarget,
  RuntimeUnit,
  RuntimeUpdateRequest,
} from './lifecycle/runtime-types.js';
export type { StartedContainer, StartRequest, StopRequest, StopResult } from './lifecycle/types.js';
export type {
  ManifestImage,
  ManifestOutput,
  ManifestRequest,
  RenderedManifest,
} from './manifest/types.js';
export { PLUGIN_API_VERSION, type PluginApiVersion } from './plugin/api-version.js';
export type {
  HookContext,
  NoteDetail,
  PluginLogger,
  ProgressEvent,
  PullRequest,
  RunInfo,
} from './plugin/context.js';
export { definePlugin, type PluginDefinition } from './plugin/define.js';
export type {
  Awaitable,
  OptionsSchema,
  PluginHooks,
  StigmerPlugin,
  TapFn,
  TapOptions,
} from './plugin/types.js';
export type { TraceEntry, TraceMessage, TraceOutcome } from './trace/trace.js';
