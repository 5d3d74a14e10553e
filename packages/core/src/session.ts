import path from 'node:path';
import { readHomeConfig } from './config/home-config.js';
import { findConfig, type LoadedConfigFile } from './config/load.js';
import {
  pullPolicyOf,
  type ResolvedSettings,
  resolveSettings,
  type SettingInputs,
  type Settings,
} from './config/settings.js';
import { loadedCredentialsPlugin } from './credentials/providers.js';
import { DockerEngine } from './engine/docker-engine.js';
import type { Engine } from './engine/types.js';
import type { ResolveRequest } from './image/types.js';
import { Pipeline } from './pipeline/pipeline.js';
import type { ProgressEvent } from './plugin/context.js';
import { versionMismatches } from './plugin/installed.js';
import { type LoadPluginsOptions, loadPlugins, type PluginModule } from './plugin/load.js';
import type { LoadedPlugin } from './plugin/types.js';
import { dataDirFor } from './state/data-dir.js';
import { firstTime } from './state/notices.js';

/** What a host (the CLI, a test, another program) gives to open a session. */
export interface SessionOptions {
  cliVersion: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** `--config PATH`: load exactly this file. */
  configPath?: string | undefined;
  /** Flag values by setting key, highest precedence. */
  flags?: SettingInputs['flags'];
  /** The chain used when no config names one. */
  defaultPlugins: readonly string[];
  /**
   * Plugins a command needs besides the chain (the manifest command: its
   * renderer, `kubernetes`), applied after the configured plugins unless the
   * chain already has a plugin of the same name (then the configured one,
   * with its options, serves).
   */
  commandPlugins?: readonly string[];
  /** Plugin packages bundled with the host, by package name. */
  builtins?: Readonly<Record<string, () => Promise<PluginModule>>>;
  /**
   * The version of the bundled plugin packages: one installed beside the
   * config with this version is served by its bundled copy (see `loadPlugins`).
   */
  builtinVersion?: string;
  /**
   * Use this engine instead of discovering one (tests, embedding programs),
   * or make one from the run's settings (the CLI's fast path).
   */
  engine?: Engine | ((settings: Settings) => Engine);
  /**
   * Whether a one-time note (`key`) is still to be shown, recording that it
   * was. Default: `shownBefore`, then `recordShown`, in the data folder, at once. The
   * CLI's fast path records only once its output is printed.
   */
  firstTime?: (dataDir: string, key: string) => Promise<boolean>;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  onWarn?: (plugin: string, message: string) => void;
}

/** Settings, plugins and pipeline for one command. */
export interface Session extends ResolvedSettings {
  /** The config file in force, or `undefined` for the embedded default. */
  configFile: string | undefined;
  /** stigmer's data folder, worked out once: the lifecycle's, and `ctx.run.dataDir` for plugins. */
  dataDir: string;
  cliVersion: string;
  engine: Engine;
  pipeline: Pipeline;
}

/** Loads settings without plugins: enough for `config print` and `config validate`. */
export async function loadSettings(
  options: SessionOptions,
): Promise<ResolvedSettings & { configFile?: string; configScope?: LoadedConfigFile['scope'] }> {
  const [file, homeConfig] = await Promise.all([
    findConfig({ cwd: options.cwd, configPath: options.configPath, env: options.env }),
    readHomeConfig(options.env),
  ]);
  if (homeConfig?.problem) options.onWarn?.('stigmer', homeConfig.problem);
  const resolved = resolveSettings({
    flags: options.flags,
    env: options.env,
    file,
    homeConfig,
    defaultPlugins: options.defaultPlugins,
  });
  return { ...resolved, ...(file ? { configFile: file.path, configScope: file.scope } : {}) };
}

/** Loads settings and plugins and applies them to a fresh pipeline. */
export async function openSession(options: SessionOptions): Promise<Session> {
  const { settings, sources, configFile } = await loadSettings(options);
  const fromFile = sources.plugins?.source.kind === 'file';
  const loadOptions = {
    fromDir: configFile ? path.dirname(configFile) : options.cwd,
    origin: configFile ?? 'the built-in default chain',
    builtins: options.builtins,
    builtinVersion: options.builtinVersion,
    // The embedded default is first-party with no options: nothing to search
    // or validate, which keeps validators off the start-up path.
    validateOptions: configFile !== undefined,
    searchInstalled: fromFile,
  };
  const configured = await loadPlugins(settings.plugins, loadOptions);
  const plugins = [...configured, ...(await commandPlugins(options, configured, loadOptions))];
  const engine =
    typeof options.engine === 'function'
      ? options.engine(settings)
      : (options.engine ??
        new DockerEngine({
          env: options.env,
          ...(settings.engine.host ? { host: settings.engine.host } : {}),
          callTimeoutMs: settings.engine.timeout,
          signal: options.signal,
        }));
  const dataDir = dataDirFor(settings.server.dataDir, options.env, options.cwd);
  if (options.builtinVersion && options.onWarn) {
    for (const { plugin, key, message } of versionMismatches(
      plugins,
      options.builtinVersion,
      `stigmer ${options.cliVersion}`,
    )) {
      if (await (options.firstTime ?? firstTime)(dataDir, key)) options.onWarn(plugin, message);
    }
  }
  const pipeline = new Pipeline({
    cliVersion: options.cliVersion,
    cwd: options.cwd,
    configFile,
    env: options.env,
    engine,
    timeouts: settings.timeouts,
    settings: settingValues(sources),
    dataDir,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onWarn ? { onWarn: options.onWarn } : {}),
  });
  await pipeline.use(plugins);
  // Core's credential providers answer after every configured plugin's.
  await pipeline.use([loadedCredentialsPlugin()]);
  return { settings, sources, configFile, dataDir, cliVersion: options.cliVersion, engine, pipeline };
}

/** The command's own plugins that the configured chain does not already have. */
async function commandPlugins(
  options: SessionOptions,
  configured: readonly LoadedPlugin[],
  loadOptions: LoadPluginsOptions,
): Promise<LoadedPlugin[]> {
  if (!options.commandPlugins?.length) return [];
  const specs = options.commandPlugins.map((specifier, i) => ({
    specifier,
    options: {},
    index: configured.length + i,
  }));
  const names = new Set(configured.map((p) => p.plugin.name));
  const loaded = await loadPlugins(specs, { ...loadOptions, validateOptions: false });
  return loaded.filter((p) => !names.has(p.plugin.name));
}

/** Each setting's effective value by key (`llm.model`...), as plugins read it in `ctx.run.settings`. */
export function settingValues(sources: ResolvedSettings['sources']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(sources).map(([key, { value }]) => [key, value]));
}

/** The resolve request a session's settings describe. */
export function requestFor(session: Session, purpose: ResolveRequest['purpose'] = 'resolve'): ResolveRequest {
  return requestOf(session.settings, session.cliVersion, purpose);
}

/** The resolve request settings describe: the pull policy split into policy and interval, pull times in ms. */
export function requestOf(
  settings: Settings,
  cliVersion: string,
  purpose: ResolveRequest['purpose'] = 'resolve',
): ResolveRequest {
  const { image, pull } = settings;
  return {
    localTag: image.localTag,
    platform: image.platform,
    purpose,
    ...pullPolicyOf(image.pullPolicy),
    offline: settings.offline,
    build: settings.build,
    pull: { retries: pull.retries, retryDelayMs: pull.retryDelay, stallTimeoutMs: pull.stallTimeout },
    cliVersion,
  };
}
