import { SETTINGS } from '../config/declarations.js';
import type { Credential } from '../credentials/types.js';
import { formatDuration } from '../duration.js';
import { recordingInspects } from '../engine/inspect-record.js';
import type { Engine, ImageInfo } from '../engine/types.js';
import { ConfigError, InterruptedError, interruption, isStigmerError, PluginError } from '../errors.js';
import {
  createHooks,
  HOOK_KINDS,
  HOOK_NAMES,
  type HookName,
  type HookSignatures,
  type Hooks,
} from '../hooks.js';
import { checkApiVersion } from '../plugin/api-version.js';
import type { HookContext, ProgressEvent, RunInfo } from '../plugin/context.js';
import { withRuntime } from '../plugin/runtime.js';
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
  /** How long an interrupted runtime hook's tap may take to undo what it made. Default: 15 s. */
  interruptGraceMs?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Receives plugins' warnings for the user's terminal. */
  onWarn?: (plugin: string, message: string) => void;
  /** stigmer's data folder, shown to plugins as `ctx.run.dataDir`. Default: `~/.stigmer/data`. */
  dataDir?: string;
  /** Effective settings by key, shown to plugins as `ctx.run.settings`. Default: none. */
  settings?: Readonly<Record<string, unknown>>;
}

/** Hooks whose taps make things only they can undo: on Ctrl-C they get time to settle. */
const UNDOES_ON_INTERRUPT: ReadonlySet<HookName> = new Set(['runtimeCreate', 'runtimeUpdate', 'runtimeStop']);
/** How long an interrupted runtime tap may take to undo what it made before stigmer stops waiting. */
const INTERRUPT_GRACE_MS = 15_000;

/** A plugin's tap function, as the pipeline holds it. */
type TapFunction = (payload: unknown, ctx: HookContext) => unknown;
/** A tap's tapable options, carrying the plugin it belongs to for the interceptor. */
type PluginTap = { name: string; stage: number; before?: string[]; loaded: LoadedPlugin };

/**
 * One run's plugin host: applies plugins to a fresh set of hooks, wraps every
 * tap (attribution, timeout, result checks, trace) and runs hooks.
 */
export class Pipeline {
  readonly #trace = new Trace();
  readonly #plugins: LoadedPlugin[] = [];
  /** Secrets seen in this run (credentials, secret env), for output redaction. */
  readonly #secrets = new Set<string>();
  /** Which hooks each plugin tapped, for `stigmer plugins list`. */
  readonly #taps = new Map<string, HookName[]>();
  readonly #hooks: Hooks = createHooks();
  /** Names of the plugins applied so far; plugins see it as `ctx.run.plugins`. */
  readonly #pluginNames: string[] = [];
  readonly #run: RunInfo;
  readonly #options: PipelineOptions;
  #collected: string[] = [];
  readonly #befores: { plugin: string; hook: HookName; before: string }[] = [];
  /** What each resolver's image inspects answered, by its trace entry (see `inspectedDuring`). */
  readonly #inspected = new WeakMap<TraceEntry, ReadonlyMap<string, ImageInfo | undefined>>();

  constructor(options: PipelineOptions) {
    this.#options = options;
    const { cliVersion, cwd, configFile, env } = options;
    const dataDir = options.dataDir ?? dataDirFor(undefined, env, cwd);
    this.#run = Object.freeze({
      cliVersion,
      cwd,
      configFile,
      env,
      trace: this.#trace.entries,
      plugins: this.#pluginNames,
      settings: Object.freeze({ ...options.settings }),
      dataDir,
    });
    for (const hook of HOOK_NAMES) this.#intercept(hook);
  }

  /** Every decision of this run so far, oldest first: what `--explain` prints. */
  get trace(): readonly TraceEntry[] {
    return this.#trace.entries;
  }

  /** The trace entries of one hook, in order. */
  traceOf(hook: HookName): readonly TraceEntry[] {
    return this.#trace.of(hook);
  }

  /** The plugins applied, in order. */
  get plugins(): readonly LoadedPlugin[] {
    return [...this.#plugins];
  }

  /** The hooks a plugin tapped, in the order it tapped them (for `stigmer plugins list`). */
  tapsOf(plugin: string): readonly HookName[] {
    return [...(this.#taps.get(plugin) ?? [])];
  }

  /** True when some plugin taps `hook`. */
  isTapped(hook: HookName): boolean {
    return [...this.#taps.values()].some((hooks) => hooks.includes(hook));
  }

  /** The run facts plugins see as `ctx.run`. */
  get run(): RunInfo {
    return this.#run;
  }

  /** Adds values to redact from every output of this run (secret env values, tokens). */
  addSecrets(values: Iterable<string>): void {
    for (const value of values) if (value) this.#secrets.add(value);
  }

  /**
   * The engine's answers to the image inspects one `resolveImage` call made
   * (by reference), so checking its result need not ask again.
   */
  inspectedDuring(entry: TraceEntry): ReadonlyMap<string, ImageInfo | undefined> | undefined {
    return this.#inspected.get(entry);
  }

  /** The engine every hook's context shares. */
  get engine(): Engine {
    return this.#options.engine;
  }

  /** Applies plugins in order. Plugin names must be unique; `before` must name a loaded plugin. */
  async use(plugins: readonly LoadedPlugin[]): Promise<void> {
    for (const loaded of plugins) {
      const { name } = loaded.plugin;
      if (this.#plugins.some((p) => p.plugin.name === name)) {
        throw new ConfigError(
          'PLUGIN_INVALID',
          `Two plugins are named "${name}" (${loaded.specifier} at plugins[${loaded.index}]). Each plugin may appear once.`,
        );
      }
      // Hosts that build plugins themselves (tests, runChain) pass here too, not only the loader.
      checkApiVersion(loaded.plugin, loaded);
      this.#plugins.push(loaded);
      this.#pluginNames.push(name);
      this.#taps.set(name, []);
      try {
        await loaded.plugin.apply(this.#pluginHooks(loaded), loaded.options);
      } catch (error) {
        throw this.#attribute(error, name, 'apply');
      }
    }
    const names = new Set(this.#plugins.map((p) => p.plugin.name));
    const unknown = this.#befores.find((b) => !names.has(b.before));
    if (unknown) {
      throw new ConfigError(
        'PLUGIN_INVALID',
        `Plugin "${unknown.plugin}" asks to run before "${unknown.before}" in hook "${unknown.hook}", but no plugin of that name is loaded. Loaded: ${[...names].join(', ')}.`,
        { plugin: unknown.plugin, hook: unknown.hook },
      );
    }
  }

  /** Runs a bail, series or waterfall hook and returns its result. */
  async call<K extends HookName>(
    hook: K,
    payload: HookSignatures[K]['payload'],
  ): Promise<HookSignatures[K]['result']> {
    this.#throwIfInterrupted();
    const tapable = this.#hooks[hook] as unknown as { promise(p: unknown): Promise<unknown> };
    return (await tapable.promise(payload)) as HookSignatures[K]['result'];
  }

  /** Runs a `collect` hook and returns every tap's non-undefined result, in order. */
  async collect<K extends HookName>(hook: K, payload: HookSignatures[K]['payload']): Promise<string[]> {
    this.#collected = [];
    await this.call(hook, payload);
    return this.#collected;
  }

  /** Replaces every secret seen in this run by `***`. */
  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) if (secret.length >= 4) out = out.split(secret).join('***');
    return out;
  }

  /** The hooks as plugin `loaded` taps them: every tap named after the plugin. */
  #pluginHooks(loaded: LoadedPlugin): PluginHooks<unknown> {
    const entries = HOOK_NAMES.map((hook) => [
      hook,
      {
        tap: (fn: TapFunction, tapOptions: TapOptions = {}) => this.#tap(loaded, hook, fn, tapOptions),
      },
    ]);
    return Object.freeze(Object.fromEntries(entries)) as PluginHooks<unknown>;
  }

  /**
   * Adds a plugin's tap to the tapable hook, named after the plugin, with its
   * `stage` and `before` passed through: tapable orders the taps. The
   * interceptor (`#intercept`) wraps the function as tapable registers it.
   */
  #tap(loaded: LoadedPlugin, hook: HookName, fn: TapFunction, tapOptions: TapOptions): void {
    const name = loaded.plugin.name;
    const before = tapOptions.before === undefined ? undefined : [tapOptions.before].flat();
    // tapable would quietly ignore a `before` naming no tap: checked once every plugin is applied.
    for (const b of before ?? []) this.#befores.push({ plugin: name, hook, before: b });
    this.#taps.get(name)?.push(hook);
    const tapable = this.#hooks[hook] as unknown as {
      tapPromise(options: PluginTap, fn: TapFunction): void;
    };
    tapable.tapPromise({ name, stage: tapOptions.stage ?? 0, ...(before ? { before } : {}), loaded }, fn);
  }

  /**
   * tapable's `register` interceptor: every tap, as it is registered, is
   * replaced by one that runs the plugin's function through `#invoke` (its own
   * context, signal and timeout, the result check, attribution, the trace).
   */
  #intercept(hook: HookName): void {
    const tapable = this.#hooks[hook] as unknown as {
      intercept(interceptor: { register(tap: PluginTap & { fn: TapFunction }): object }): void;
    };
    tapable.intercept({
      register: (tap) => ({
        ...tap,
        type: 'promise',
        fn: (payload: unknown) => this.#invoke(tap.loaded, hook, tap.fn, payload),
      }),
    });
  }

  /** Runs one tap with its own context, signal and timeout, and records it in the trace. */
  async #invoke(loaded: LoadedPlugin, hook: HookName, fn: TapFunction, payload: unknown): Promise<unknown> {
    this.#throwIfInterrupted();
    const name = loaded.plugin.name;
    const entry = this.#trace.begin(hook, name);
    const started = nowMs();
    const controller = new AbortController();
    const parent = this.#options.signal;
    const onParentAbort = () => controller.abort(parent?.reason);
    parent?.addEventListener('abort', onParentAbort, { once: true });
    const limit = this.#options.timeouts[hook];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = this.#timeoutError(name, hook, limit);
        controller.abort(error);
        reject(error);
      }, limit);
    });
    const ctx = this.#context(loaded, hook, entry, controller.signal);
    const running = Promise.resolve().then(() => fn(payload, ctx));
    const interrupted = this.#interrupted(hook, controller.signal, running);
    try {
      const result = await Promise.race([running, timedOut, interrupted]);
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
      this.#settle(entry, hook, result);
      if (HOOK_KINDS[hook] === 'collect' && typeof result === 'string') this.#collected.push(result);
      return HOOK_KINDS[hook] === 'collect' ? undefined : result;
    } catch (error) {
      const attributed = parent?.aborted ? this.#interruption() : this.#attribute(error, name, hook);
      entry.outcome = attributed.code === 'PLUGIN_TIMEOUT' ? 'timeout' : 'failed';
      entry.reason = attributed.message;
      entry.code = attributed.code;
      throw attributed;
    } finally {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
      entry.durationMs = Math.round((nowMs() - started) * 10) / 10;
    }
  }

  /**
   * Rejects when the call's signal aborts. An interrupted run does not wait
   * for a tap that ignores its signal, except a runtime hook's tap on a user
   * interrupt: it may have made things (a service, secrets) that only it can
   * undo, so it gets up to `interruptGraceMs` to settle. A second Ctrl-C
   * still ends stigmer at once (the CLI's signal handling).
   */
  #interrupted(hook: HookName, signal: AbortSignal, running: Promise<unknown>): Promise<never> {
    const interrupted = new Promise<never>((_, reject) => {
      signal.addEventListener(
        'abort',
        () => {
          const reason = signal.reason;
          if (!UNDOES_ON_INTERRUPT.has(hook) || !this.#options.signal?.aborted) return reject(reason);
          const grace = setTimeout(
            () => reject(reason),
            this.#options.interruptGraceMs ?? INTERRUPT_GRACE_MS,
          );
          const settled = () => {
            clearTimeout(grace);
            reject(reason);
          };
          running.then(settled, settled);
        },
        { once: true },
      );
    });
    interrupted.catch(() => {});
    return interrupted;
  }

  /** The context of one call: facts, logging into its trace entry, and the host's runtime. */
  #context(loaded: LoadedPlugin, hook: HookName, entry: TraceEntry, signal: AbortSignal): HookContext {
    const name = loaded.plugin.name;
    const log = (level: 'debug' | 'info' | 'warn') => (message: string) => {
      entry.messages.push({ level, message: this.redact(message) });
      if (level === 'warn') this.#options.onWarn?.(name, this.redact(message));
    };
    let engine = this.#options.engine;
    if (hook === 'resolveImage') {
      const recording = recordingInspects(engine);
      this.#inspected.set(entry, recording.answers);
      engine = recording.engine;
    }
    return withRuntime({
      plugin: { name, version: loaded.plugin.version },
      hook,
      options: loaded.options,
      signal,
      engine,
      run: this.#run,
      log: { debug: log('debug'), info: log('info'), warn: log('warn') },
      note: (reason, detail = {}) => {
        entry.reason = this.redact(reason);
        if (detail.reference !== undefined) entry.reference = detail.reference;
        if (detail.error !== undefined) entry.error = this.redact(detail.error);
      },
      progress: (reference, event) => this.#options.onProgress?.({ plugin: name, reference, event }),
      credentials: (registry, repository, options) =>
        this.#credentials(registry, repository, options?.exclude),
    });
  }

  async #credentials(
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
    this.addSecrets([password, registryToken, identityToken].filter((s): s is string => Boolean(s)));
    return credential;
  }

  /** Fills in the trace entry of a call that returned. */
  #settle(entry: TraceEntry, hook: HookName, result: unknown): void {
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

  #attribute(error: unknown, plugin: string, hook: string) {
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

  #timeoutError(plugin: string, hook: HookName, limit: number): PluginError {
    return new PluginError(
      'PLUGIN_TIMEOUT',
      `Plugin "${plugin}" did not finish hook "${hook}" within ${formatDuration(limit)}. If it needs longer, raise "timeouts.${hook}" in your stigmer config (or set ${SETTINGS.timeouts[hook].env}).`,
      { plugin, hook, details: { timeoutMs: limit } },
    );
  }

  #interruption(): InterruptedError {
    const signal = this.#options.signal;
    return signal ? interruption(signal) : new InterruptedError('SIGINT');
  }

  #throwIfInterrupted(): void {
    if (this.#options.signal?.aborted) throw this.#interruption();
  }
}

/** True when a credentials answer comes from a source the request excludes. */
function rejectedSource(payload: unknown, result: unknown): boolean {
  const exclude = (payload as { exclude?: readonly string[] }).exclude;
  const source = (result as Credential | undefined)?.source;
  return source !== undefined && exclude?.includes(source) === true;
}

/** A monotonic clock in ms; not `performance.now()`, whose global loads perf_hooks (~2 ms of start-up). */
function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
