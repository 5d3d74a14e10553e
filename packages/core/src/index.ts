export { type ConfigCheck, type ConfigProblem, checkConfiguration } from './config/check.js';
export { findConfig, type LoadedConfigFile, validateConfig } from './config/load.js';
export type { ConfigFile, PluginEntry } from './config/schema-types.js';
export {
  existingConfigFiles,
  type SearchStep,
  searchSteps,
  userConfigDir,
} from './config/search-places.js';
export type { PluginSpec, ResolvedSettings, SettingSource, Settings } from './config/settings.js';
export { DEFAULT_TIMEOUTS, resolveSettings } from './config/settings.js';
export { envTokenCredential, GHCR_TOKEN_VARIABLES } from './credentials/env-token.js';
export { CREDENTIALS_PLUGIN, credentialsPlugin, loadedCredentialsPlugin } from './credentials/providers.js';
export type { Credential, CredentialRequest } from './credentials/types.js';
export { formatDuration, parseDuration } from './duration.js';
export { DockerEngine } from './engine/docker-engine.js';
export {
  ArchiveFormatError,
  type ArchiveScan,
  type SavedImage,
  scanImageArchive,
} from './engine/image-archive.js';
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
  PullError,
  ServerError,
  StateError,
  StigmerError,
} from './errors.js';
export { type PullDecision, pullDecision, recordPull } from './freshness/pull-decision.js';
export { type RemoteDigest, remoteDigest } from './freshness/remote-digest.js';
export type { HookKind, HookName, HookSignature, HookSignatures } from './hooks.js';
export { HOOK_KINDS, HOOK_NAMES } from './hooks.js';
export { platformMatches } from './image/platform.js';
export type * from './image/types.js';
export type { LifecycleEvent, LifecycleOptions } from './lifecycle/context.js';
export { LABELS } from './lifecycle/labels.js';
export type { LogsOptions, ServerLogs } from './lifecycle/logs.js';
export { serverLogs } from './lifecycle/logs.js';
export type { StartOptions, StartOutcome } from './lifecycle/start.js';
export { startServer } from './lifecycle/start.js';
export type { ServerStatus } from './lifecycle/status.js';
export { serverStatus } from './lifecycle/status.js';
export type { StopOutcome, StoppedContainer } from './lifecycle/stop.js';
export { stopServer } from './lifecycle/stop.js';
export type * from './lifecycle/types.js';
export type { ContainerView } from './lifecycle/view.js';
export type { HookTimeouts, PipelineOptions } from './pipeline/pipeline.js';
export { Pipeline } from './pipeline/pipeline.js';
export { describeAttempt, resolveImage } from './pipeline/resolve.js';
export type { HookContext, NoteDetail, PluginLogger, ProgressEvent, RunInfo } from './plugin/context.js';
export { definePlugin } from './plugin/define.js';
export type { InstalledPackage } from './plugin/installed.js';
export type { LoadPluginsOptions, PluginModule } from './plugin/load.js';
export { loadPlugins } from './plugin/load.js';
export type * from './plugin/types.js';
export { backoffDelay, parseRetryAfter } from './pull/backoff.js';
export { classifyPullError, type PullFailureKind } from './pull/classify.js';
export { knownDigests } from './pull/known-digests.js';
export {
  DEFAULT_PULL_SETTINGS,
  type PullAndTagRequest,
  type PullSettings,
  pullAndTag,
} from './pull/pull-and-tag.js';
export type { Session, SessionOptions } from './session.js';
export { loadSettings, openSession, requestFor, settingValues } from './session.js';
export { dataDirFor } from './state/data-dir.js';
export type { LockHolder } from './state/lock.js';
export type { TraceEntry, TraceMessage, TraceOutcome } from './trace/trace.js';
