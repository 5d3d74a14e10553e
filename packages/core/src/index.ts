export { findConfig, validateConfig } from './config/load.js';
export type { ConfigFile, PluginEntry } from './config/schema-types.js';
export type { PluginSpec, ResolvedSettings, SettingSource, Settings } from './config/settings.js';
export { DEFAULT_TIMEOUTS, resolveSettings } from './config/settings.js';
export type { Credential, CredentialRequest } from './credentials/types.js';
export { formatDuration, parseDuration } from './duration.js';
export { DockerEngine } from './engine/docker-engine.js';
export { parseReference } from './engine/reference.js';
export type * from './engine/types.js';
export type { ErrorCode, StigmerErrorOptions } from './errors.js';
export {
  ConfigError,
  EngineError,
  ImageError,
  InterruptedError,
  isStigmerError,
  PluginError,
  StigmerError,
} from './errors.js';
export type { HookKind, HookName, HookSignature, HookSignatures } from './hooks.js';
export { HOOK_KINDS, HOOK_NAMES } from './hooks.js';
export { platformMatches } from './image/platform.js';
export type * from './image/types.js';
export type * from './lifecycle/types.js';
export type { HookTimeouts, PipelineOptions } from './pipeline/pipeline.js';
export { Pipeline } from './pipeline/pipeline.js';
export { describeAttempt, resolveImage } from './pipeline/resolve.js';
export type { HookContext, NoteDetail, PluginLogger, ProgressEvent, RunInfo } from './plugin/context.js';
export { definePlugin } from './plugin/define.js';
export type { LoadPluginsOptions, PluginModule } from './plugin/load.js';
export { loadPlugins } from './plugin/load.js';
export type * from './plugin/types.js';
export type { Session, SessionOptions } from './session.js';
export { loadSettings, openSession, requestFor } from './session.js';
export type { TraceEntry, TraceMessage, TraceOutcome } from './trace/trace.js';
