import {
  type Engine,
  isStigmerError,
  type ProgressEvent,
  type ResolvedImage,
  type ResolveRequest,
  type StigmerError,
  type StigmerPlugin,
  type TraceEntry,
} from '@stigmer/core';
import {
  DEFAULT_TIMEOUTS,
  DockerEngine,
  type HookTimeouts,
  type LoadedPlugin,
  loadedCredentialsPlugin,
  Pipeline,
  pluginOptionsFor,
  resolveImage,
  resolveSettings,
  settingValues,
} from '@stigmer/core/host';

/** A plugin as a test names it: the plugin alone, or with the options a user would give in config. */
export type ChainEntry = StigmerPlugin<unknown> | readonly [StigmerPlugin<unknown>, unknown];

/** What `runChain` runs. Everything but `plugins` has a default. */
export interface RunChainOptions {
  /** The chain, in order, as plugin objects (call your factory) or `[plugin, options]`. */
  plugins: readonly ChainEntry[];
  /**
   * The engine. Default: a DockerEngine discovered as the CLI discovers it
   * (`DOCKER_HOST`, contexts, the default socket).
   */
  engine?: Engine;
  /** Changes to the default request (`stigmer-agent-runner:local`, `missing`, online, the engine's platform). */
  request?: Partial<ResolveRequest>;
  /**
   * What `ctx.run` shows plugins, and where core's credential providers look
   * (`DOCKER_CONFIG`, `DOCKER_AUTH_CONFIG`, `HOME`). Default: the process's folder and environment.
   */
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** A config file path to show plugins in `ctx.run.configFile`. Default none. */
  configFile?: string;
  /** stigmer's data folder as plugins see it (`ctx.run.dataDir`). Default `~/.stigmer/data`: give tests a temporary one. */
  dataDir?: string;
  /**
   * Settings plugins read in `ctx.run.settings`, by key (`{ 'llm.model': 'm' }`).
   * Default: what the CLI would take from `env` and its built-in defaults.
   */
  settings?: Readonly<Record<string, unknown>>;
  /** Per-hook timeouts in ms; unspecified hooks keep the CLI's defaults. */
  timeouts?: Partial<HookTimeouts>;
  signal?: AbortSignal;
}

/** What a chain run produced: the image or the error, and every decision. */
export interface ChainRun {
  /** The image the chain resolved and every check accepted; undefined when it failed. */
  image: ResolvedImage | undefined;
  /** The stigmer error the run failed with (`IMAGE_UNRESOLVED`, `PLUGIN_FAILED`...), if it did. */
  error: StigmerError | undefined;
  /** The trace `--explain` prints: one entry per plugin call, in order. */
  trace: readonly TraceEntry[];
  /** Warnings plugins sent to the user's terminal, as `plugin: message`. */
  warnings: string[];
  /** Pull progress the plugins reported. */
  progress: ProgressEvent[];
  /** The pipeline, for hooks other than resolution (`pipeline.call('containerSpec', spec)`). */
  pipeline: Pipeline;
  /** The request the chain started from. */
  request: ResolveRequest;
}

/**
 * Runs a resolution chain (resolveImage, then imageResolved checks, or the
 * unresolved hints) exactly as `stigmer image resolve` does, against a real
 * engine, and returns the outcome instead of printing it. Options are
 * validated with each plugin's schema, as the CLI validates a config file's.
 *
 * @example
 * const run = await runChain({ plugins: [[examplePlugin(), { image: 'my-runner:1' }]] });
 * expect(run.image?.reference).toBe('stigmer-agent-runner:local');
 * expect(run.trace.map((e) => e.outcome)).toEqual(['resolved']);
 */
export async function runChain(options: RunChainOptions): Promise<ChainRun> {
  const env = options.env ?? process.env;
  const engine = options.engine ?? new DockerEngine({ env });
  const warnings: string[] = [];
  const progress: ProgressEvent[] = [];
  const pipeline = new Pipeline({
    cliVersion: options.request?.cliVersion ?? '0.1.0',
    cwd: options.cwd ?? process.cwd(),
    configFile: options.configFile,
    env,
    engine,
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    settings: {
      ...settingValues(resolveSettings({ env, defaultPlugins: [] }).sources),
      ...options.settings,
    },
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onWarn: (plugin, message) => warnings.push(`${plugin}: ${message}`),
    onProgress: (event) => progress.push(event),
  });
  await pipeline.use(await Promise.all(options.plugins.map(toLoaded)));
  // As in the CLI: core's credential providers (docker config, helpers, DOCKER_AUTH_CONFIG) answer last.
  await pipeline.use([loadedCredentialsPlugin()]);
  const request: ResolveRequest = {
    localTag: 'stigmer-agent-runner:local',
    platform: undefined,
    purpose: 'resolve',
    pullPolicy: 'missing',
    offline: false,
    build: false,
    cliVersion: '0.1.0',
    ...options.request,
  };
  let image: ResolvedImage | undefined;
  let error: StigmerError | undefined;
  try {
    image = await resolveImage(pipeline, request);
  } catch (caught) {
    if (!isStigmerError(caught)) throw caught;
    error = caught;
  }
  return { image, error, trace: pipeline.trace, warnings, progress, pipeline, request };
}

async function toLoaded(entry: ChainEntry, index: number): Promise<LoadedPlugin> {
  const [plugin, given] = Array.isArray(entry)
    ? (entry as readonly [StigmerPlugin<unknown>, unknown])
    : [entry as StigmerPlugin<unknown>, {}];
  // As the CLI validates a config file's entry: the same defaults, the same messages.
  const spec = { specifier: plugin.name, options: (given ?? {}) as Record<string, unknown>, index };
  const options = await pluginOptionsFor(plugin, spec, 'the chain given to runChain', 'test:runChain');
  return { plugin, options, specifier: plugin.name, loadedFrom: 'test:runChain', index };
}
