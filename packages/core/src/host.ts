/**
 * `@stigmer/core/host`: what a host (the CLI, `@stigmer/testing`, a program
 * embedding stigmer) needs to load config and plugins and run them: sessions,
 * the pipeline, the lifecycle, the loader, the engine facade, settings, core's
 * credential providers and the archive format. Plugins never need it: their
 * API is `@stigmer/core`.
 */
export type { ExportRequest } from './archive/export.js';
export { exportImages } from './archive/export.js';
export { importImages } from './archive/import.js';
export type { ArchivedImage, ArchiveManifest } from './archive/manifest.js';
export { MANIFEST_FILE, MANIFEST_FORMAT, readManifest } from './archive/manifest.js';
export { type ConfigCheck, type ConfigProblem, checkConfiguration } from './config/check.js';
export {
  DECLARED_SETTINGS,
  DEFAULT_TIMEOUTS,
  type DeclaredSetting,
  SETTINGS,
  type Setting,
  type SettingKind,
  type SettingsInFile,
  type SettingsTree,
  type SettingValues,
} from './config/declarations.js';
export type { HomeConfig } from './config/home-config.js';
export { type FindConfigOptions, findConfig, type LoadedConfigFile, validateConfig } from './config/load.js';
export type { ConfigFile, PluginEntry } from './config/schema-types.js';
export {
  existingConfigFiles,
  type SearchEnv,
  type SearchStep,
  searchSteps,
  userConfigDir,
} from './config/search-places.js';
export type {
  PluginSpec,
  ResolvedSettings,
  SettingInputs,
  SettingSource,
  Settings,
} from './config/settings.js';
export { resolveSettings } from './config/settings.js';
export { CREDENTIALS_PLUGIN, credentialsPlugin, loadedCredentialsPlugin } from './credentials/providers.js';
export { formatDuration, parseDuration } from './duration.js';
export type { Discovery, EngineCandidate, EngineTls, TriedEndpoint } from './engine/discover.js';
export { DockerEngine, type DockerEngineOptions } from './engine/docker-engine.js';
export type { ProbeFailure } from './engine/errors.js';
export { SocketEngine, type SocketEngineOptions } from './engine/socket-engine.js';
export { interruption } from './errors.js';
export { HOOK_KINDS, HOOK_NAMES } from './hooks.js';
// The plugin API's types (hooks, payloads, context, errors' types) are a host's vocabulary too.
export type * from './index.js';
export type { LifecycleEvent, LifecycleOptions } from './lifecycle/context.js';
export type { LogsOptions, ServerLogs } from './lifecycle/logs.js';
export { serverLogs } from './lifecycle/logs.js';
export type {
  RuntimeStartOutcome,
  RuntimeStatus,
  RuntimeStopOutcome,
} from './lifecycle/runtime-lifecycle.js';
export {
  hasRuntimePlugin,
  inspectOnRuntime,
  logsOnRuntime,
  SECRETS_LABEL,
  startOnRuntime,
  stopOnRuntime,
} from './lifecycle/runtime-lifecycle.js';
export type { StartOptions, StartOutcome } from './lifecycle/start.js';
export { startServer } from './lifecycle/start.js';
export type { ServerStatus } from './lifecycle/status.js';
export { serverStatus } from './lifecycle/status.js';
export type { StopOutcome, StoppedContainer } from './lifecycle/stop.js';
export { stopServer } from './lifecycle/stop.js';
export type { ContainerView } from './lifecycle/view.js';
export { type ManifestOptions, type ManifestOutcome, renderManifest } from './manifest/render.js';
export { manifestText } from './manifest/text.js';
export type { HookTimeouts, PipelineOptions } from './pipeline/pipeline.js';
export { Pipeline } from './pipeline/pipeline.js';
export { resolveImage } from './pipeline/resolve.js';
export type { InstalledPackage } from './plugin/installed.js';
export type { LoadPluginsOptions, PluginModule } from './plugin/load.js';
export { loadPlugins, pluginOptionsFor } from './plugin/load.js';
export type { LoadedPlugin } from './plugin/types.js';
export type { Session, SessionOptions } from './session.js';
export { loadSettings, openSession, requestFor, requestOf, settingValues } from './session.js';
export { dataDirFor } from './state/data-dir.js';
export type { LockHolder } from './state/lock.js';
export { recordShown, shownBefore } from './state/notices.js';
export type { ProcessIdentity } from './state/process-identity.js';
