import type { Credential } from '../credentials/types.js';
import { formatDuration } from '../duration.js';
import type { Engine } from '../engine/types.js';
import { ConfigError, InterruptedError, isStigmerError, PluginError } from '../errors.js';
import {
  createHooks,
  HOOK_KINDS,
  HOOK_NAMES,
  type HookName,
  type HookSignatures,
  type Hooks,
} from '../hooks.js';
import type { HookContext, ProgressEvent, RunInfo } from '../plugin/context.js';
import type { LoadedPlugin, PluginHooks, TapOptions } from '../plugin/types.js';
import { dataDirFor } from '../state/data-dir.js';
import { Trace, type TraceEntry } from '../trace/trace.js';
import { checkResult } from './validate.js';

/** Time a tap may take, per hook, before it fails with `PLUGIN_TIMEOUT`. */
export type HookTimeouts = Readonly<Record<HookName, number>>;

/** What a pipeline needs from its host (the CLI, or a test). */
export interface PipelineOptions {
  cliVersion: string;
  cwd: string;
  configFile: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  engine: Engine;
  timeouts: HookTimeouts;
  /** Aborted on SIGINT/SIGTERM; every running tap's signal follows it. */
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Receives plugins' warnings for the user's terminal. */
  onWarn?: (plugin: string, message: string) => void;
  /** stigmer's data folder, shown to plugins as `ctx.run.dataDir`. Default: `~/.stigmer/data`. */
  dataDir?: string;
  /** Effective settings by key, shown to plugins as `ctx.run.settings`. Default: none. */
  settings?: Readonly<Record<string, unknown>>;
}

type Result<K extends HookName> = HookSignatures[K]['result'];
type Payload<K extends HookName> = HookSignatures[K]['payload'];

/**
 * One run's plugin host: applies plugins to a fresh set of hooks, wraps every
 * tap (attribution, timeout, result checks, trace) and runs hooks.
 */
export class Pipeline {
  readonly trace = new Trace();
  readonly plugins: readonly LoadedPlugin[] = [];
  /** Secrets seen in this run (credentials), for output redaction. */
  readonly secrets = new Set<string>();
  /** Which hooks each plugin tapped, for `stigmer plugins list`. */
  readonly taps = new Map<string, HookName[]>();
  private readonly hooks: Hooks = createHooks();
  /** Names of the plugins applied so far; plugins see it as `ctx.run.plugins`. */
  private readonly pluginNames: string[] = [];
  private readonly run: RunInfo;
  private collected: string[] = [];
  private readonly befores: { plugin: string; hook: HookName; before: string }[] = [];

  constructor(private readonly options: PipelineOptions) {
    const { cliVersion, cwd, configFile, env } = options;
    const dataDir = options.dataDir ?? dataDirFor(undefined, env, cwd);
    this.run = Object.freeze({
      cliVersion,
      cwd,
      configFile,
      env,
      trace: this.trace.entries,
      plugins: this.pluginNames,
      settings: Object.freeze({ ...options.settings }),
      dataDir,
    });
  }

  /** The engine every hook's context shares. */
  get engine(): Engine {
    return this.options.engine;
  }

  /** Applies plugins in order. Plugin names must be unique; `before` must name a loaded plugin. */
  async use(plugins: readonly LoadedPlugin[]): Promise<void> {
    for (const loaded of plugins) {
      const { name } = loaded.plugin;
      if (this.plugins.some((p) => p.plugin.name === name)) {
        throw new ConfigError(
          'PLUGIN_INVALID',
          `Two plugins are named "${name}" (${loaded.specifier} at plugins[${loaded.index}]). Each plugin may appear once.`,
        );
      }
      (this.plugins as LoadedPlugin[]).push(loaded);
      this.pluginNames.push(name);
      this.taps.set(name, []);
      try {
        await loaded.plugin.apply(this.pluginHooks(loaded), loaded.options);
      } catch (error) {
        throw this.attribute(error, name, 'apply');
      }
    }
    const names = new Set(this.plugins.map((p) => p.plugin.name));
    const unknown = this.befores.find((b) => !names.has(b.before));
    if (unknown) {
      throw new ConfigError(
        'PLUGIN_INVALID',
        `Plugin "${unknown.plugin}" asks to run before "${unknown.before}" in hook "${unknown.hook}", but no plugin of that name is loaded. Loaded: ${[...names].join(', ')}.`,
        { plugin: unknown.plugin, hook: unknown.hook },
      );
    }
  }

  /** Runs a bail, series or waterfall hook and returns its result. */
  async call<K extends HookName>(hook: K, payload: Payload<K>): Promise<Result<K>> {
    this.throwIfInterrupted();
    const tapable = this.hooks[hook] as unknown as { promise(p: unknown): Promise<unknown> };
    return (await tapable.promise(payload)) as Result<K>;
  }

  /** Runs a `collect` hook and returns every tap's non-undefined result, in order. */
  async collect<K extends HookName>(hook: K, payload: Payload<K>): Promise<string[]> {
    this.collected = [];
    await this.call(hook, payload);
    return this.collected;
  }

  /** Replaces every secret seen in this run by `***`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (secret.length >= 4) out = out.split(secret).join('***');
    return out;
  }

  private pluginHooks(loaded: LoadedPlugin): PluginHooks<unknown> {
    const entries = HOOK_NAMES.map((hook) => [
      hook,
      {
        tap: (fn: (payload: unknown, ctx: HookContext) => unknown, tapOptions: TapOptions = {}) =>
          this.tap(loaded, hook, fn, tapOptions),
      },
    ]);
    return Object.freeze(Object.fromEntries(entries)) as PluginHooks<unknown>;
  }

  private tap(
    loaded: LoadedPlugin,
    hook: HookName,
    fn: (payload: unknown, ctx: HookContext) => unknown,
    tapOptions: TapOptions,
  ): void {
    const name = loaded.plugin.name;
    const before = tapOptions.before === undefined ? undefined : [tapOptions.before].flat();
    for (const b of before ?? []) this.befores.push({ plugin: name, hook, before: b });
    this.taps.get(name)?.push(hook);
    const wrapped = (payload: unknown) => this.invoke(loaded, hook, fn, payload);
    const tapable = this.hooks[hook] as unknown as {
      tapPromise(options: object, fn: (payload: unknown) => Promise<unknown>): void;
    };
    tapable.tapPromise({ name, stage: tapOptions.stage ?? 0, ...(before ? { before } : {}) }, wrapped);
  }

  /** Runs one tap with its own context, signal and timeout, and records it in the trace. */
  private async invoke(
    loaded: LoadedPlugin,
    hook: HookName,
    fn: (payload: unknown, ctx: HookContext) => unknown,
    payload: unknown,
  ): Promise<unknown> {
    this.throwIfInterrupted();
    const name = loaded.plugin.name;
    const entry = this.trace.begin(hook, name);
    const started = performance.now();
    const controller = new AbortController();
    const parent = this.options.signal;
    const onParentAbort = () => controller.abort(parent?.reason);
    parent?.addEventListener('abort', onParentAbort, { once: true });
    const limit = this.options.timeouts[hook];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = this.timeoutError(name, hook, limit);
        controller.abort(error);
        reject(error);
      }, limit);
    });
    // An interrupted run does not wait for a tap that ignores its signal.
    const interrupted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    interrupted.catch(() => {});
    try {
      const ctx = this.context(loaded, hook, entry, controller.signal);
      const result = await Promise.race([
        Promise.resolve().then(() => fn(payload, ctx)),
        timedOut,
        interrupted,
      ]);
      const problem = checkResult(hook, result);
      if (problem) {
        throw new PluginError('PLUGIN_INVALID_RESULT', `Plugin "${name}" ${problem} (hook "${hook}").`, {
          plugin: name,
          hook,
        });
      }
      if (hook === 'credentials' && rejectedSource(payload, result)) {
        // A provider that ignores `exclude` must not hand back what the registry refused.
        entry.reason = `passed over credentials from ${(result as Credential).source}: the registry rejected them`;
        entry.outcome = 'ok';
        return undefined;
      }
      this.settle(entry, hook, result);
      if (HOOK_KINDS[hook] === 'collect' && typeof result === 'string') this.collected.push(result);
      return HOOK_KINDS[hook] === 'collect' ? undefined : result;
    } catch (error) {
      const attributed = parent?.aborted ? this.interruption() : this.attribute(error, name, hook);
      entry.outcome = attributed.code === 'PLUGIN_TIMEOUT' ? 'timeout' : 'failed';
      entry.reason = attributed.message;
      entry.code = attributed.code;
      throw attributed;
    } finally {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
      entry.durationMs = Math.round((performance.now() - started) * 10) / 10;
    }
  }

  private context(loaded: LoadedPlugin, hook: HookName, entry: TraceEntry, signal: AbortSignal): HookContext {
    const name = loaded.plugin.name;
    const log = (level: 'debug' | 'info' | 'warn') => (message: string) => {
      entry.messages.push({ level, message: this.redact(message) });
      if (level === 'warn') this.options.onWarn?.(name, this.redact(message));
    };
    return {
      plugin: { name, version: loaded.plugin.version },
      hook,
      options: loaded.options,
      signal,
      engine: this.options.engine,
      run: this.run,
      log: { debug: log('debug'), info: log('info'), warn: log('warn') },
      note: (reason, detail = {}) => {
        entry.reason = this.redact(reason);
        if (detail.reference !== undefined) entry.reference = detail.reference;
        if (detail.error !== undefined) entry.error = this.redact(detail.error);
      },
      progress: (reference, event) => this.options.onProgress?.({ plugin: name, reference, event }),
      credentials: (registry, repository, options) =>
        this.credentials(registry, repository, options?.exclude),
    };
  }

  private async credentials(
    registry: string,
    repository: string,
    exclude: readonly string[] = [],
  ): Promise<Credential | undefined> {
    const credential = await this.call('credentials', {
      registry,
      repository,
      ...(exclude.length > 0 ? { exclude: [...exclude] } : {}),
    });
    // Only the secret parts: redacting the user name would blank every word
    // that happens to equal it (a user called "stigmer" hid half of each message).
    const { password, registryToken, identityToken } = credential?.auth ?? {};
    for (const secret of [password, registryToken, identityToken]) if (secret) this.secrets.add(secret);
    return credential;
  }

  /** Fills in the trace entry of a call that returned. */
  private settle(entry: TraceEntry, hook: HookName, result: unknown): void {
    if (HOOK_KINDS[hook] !== 'bail') return;
    if (result === undefined) {
      entry.outcome = hook === 'resolveImage' ? 'passed' : 'ok';
      return;
    }
    const r = result as Record<string, unknown>;
    if (hook === 'resolveImage') {
      entry.outcome = 'resolved';
      entry.reference ??= String(r.reference);
      entry.reason ??= `resolved ${String(r.reference)} (${String(r.source)})`;
    } else if (hook === 'credentials') {
      // Only the source is recorded: the auth object holds secrets.
      entry.outcome = 'resolved';
      entry.reason = `credentials from ${String(r.source)}`;
    } else if (hook === 'imageResolved') {
      entry.outcome = r.action === 'reject' ? 'rejected' : 'retry';
      entry.reason = String(r.reason);
    }
  }

  private attribute(error: unknown, plugin: string, hook: string) {
    if (error instanceof InterruptedError) return error;
    if (isStigmerError(error)) {
      error.plugin ??= plugin;
      error.hook ??= hook;
      return error;
    }
    const message = error instanceof Error ? error.message : String(error);
    return new PluginError(
      'PLUGIN_FAILED',
      `Plugin "${plugin}" failed in hook "${hook}": ${this.redact(message)}`,
      {
        plugin,
        hook,
        cause: error,
      },
    );
  }

  private timeoutError(plugin: string, hook: HookName, limit: number): PluginError {
    return new PluginError(
      'PLUGIN_TIMEOUT',
      `Plugin "${plugin}" did not finish hook "${hook}" within ${formatDuration(limit)}. If it needs longer, raise "timeouts.${hook}" in your stigmer config (or set STIGMER_TIMEOUT_${envSuffix(hook)}).`,
      { plugin, hook, details: { timeoutMs: limit } },
    );
  }

  private interruption(): InterruptedError {
    const reason = this.options.signal?.reason;
    return reason instanceof InterruptedError ? reason : new InterruptedError('SIGINT');
  }

  private throwIfInterrupted(): void {
    if (this.options.signal?.aborted) throw this.interruption();
  }
}

/** True when a credentials answer comes from a source the request excludes. */
function rejectedSource(payload: unknown, result: unknown): boolean {
  const exclude = (payload as { exclude?: readonly string[] }).exclude;
  const source = (result as Credential | undefined)?.source;
  return source !== undefined && exclude?.includes(source) === true;
}

/** `resolveImage` → `RESOLVE_IMAGE`, the suffix of a hook's timeout environment variable. */
export function envSuffix(hook: string): string {
  return hook.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}
