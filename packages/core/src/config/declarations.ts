import type { z } from 'zod';
import {
  type DurationRange,
  durationIn,
  formatDuration,
  MAX_DURATION_MS,
  parseDuration,
} from '../duration.js';
import { DEFAULT_ENGINE_TIMEOUT_MS } from '../engine/deadline.js';
import { HOOK_NAMES, type HookName } from '../hooks.js';
import type { HomeConfig } from './home-config.js';

/**
 * Every setting stigmer has, each declared once: its key (where it sits in
 * this tree), environment variable, flag, default, what its values may be,
 * and its line in the README. From this one table come the config file's
 * schema (`schema.ts`, built only when a file exists), the `ConfigFile` and
 * `Settings` types, the environment and flag parsers and the sources that
 * `config print` shows (`settings.ts`), and the README's settings table
 * (`scripts/generated.mjs`, checked by `npm run check`).
 */

/** What the values of a setting may be: parsed from text (environment, flags) and checked in a file. */
export interface SettingKind<Value, FileValue> {
  /** Turns environment or flag text into a value, or says what was expected. */
  parse(text: string): { value: Value } | { error: string };
  /** The value of a file entry the schema accepted. */
  fromFile(value: FileValue): Value;
  /** The file entry's schema, built with the zod it is given (loaded only when a file exists). */
  schema(zod: typeof z): z.ZodType<FileValue>;
  /**
   * The file entry as `schema` would give it when `schema` accepts it, or
   * undefined: then the schema runs and says what is wrong. Valid files are
   * checked by this alone, without loading zod (`accept.ts`); a test holds
   * it to the schema.
   */
  accept(value: unknown): { value: FileValue } | undefined;
  /** `ms` for durations: kept in ms, shown as written (`30s`) by `config print`. */
  unit?: 'ms';
}

/** One setting. `Value` is what hosts read; `FileValue` what a config file may write. */
export interface Setting<Value, FileValue> {
  readonly kind: SettingKind<Value, FileValue>;
  /** The environment variable that sets it. */
  readonly env: string;
  /** The command-line flag that sets it, if any (`--platform`). */
  readonly flag?: string;
  readonly default: Value;
  /** The README's "default" cell: the default and what the setting does. */
  readonly doc: string;
  /** False for a setting the config file may not hold (a request for one run, such as `--build`). */
  readonly inFile: boolean;
  /** Its field in the original CLI's `~/.stigmer/config.yaml`, below the config file. */
  readonly home?: keyof HomeConfig['llm'];
}

function setting<Value, FileValue>(
  declaration: Omit<Setting<Value, FileValue>, 'inFile'> & { inFile?: boolean },
): Setting<Value, FileValue> {
  return Object.freeze({ inFile: true, ...declaration });
}

/** Text matching `test`; `expected` is what messages say it should be. */
function text(expected: string, test: (value: string) => boolean): SettingKind<string, string> {
  return {
    parse: (s) => (test(s) ? { value: s } : { error: `expected ${expected}, got ${JSON.stringify(s)}` }),
    fromFile: (value) => value,
    schema: (zod) => zod.string().refine(test, `expected ${expected}`),
    accept: (value) => (typeof value === 'string' && test(value) ? { value } : undefined),
  };
}

/** Text with surrounding blanks trimmed, not empty. */
function trimmed(expected: string): SettingKind<string, string> {
  return {
    parse: (s) =>
      s.trim() ? { value: s.trim() } : { error: `expected ${expected}, got ${JSON.stringify(s)}` },
    fromFile: (value) => value,
    schema: (zod) => zod.string().trim().min(1, `expected ${expected}`),
    accept: (value) => (typeof value === 'string' && value.trim() ? { value: value.trim() } : undefined),
  };
}

const bool: SettingKind<boolean, boolean> = {
  parse: (s) =>
    /^(1|true|yes)$/i.test(s)
      ? { value: true }
      : /^(0|false|no)$/i.test(s)
        ? { value: false }
        : { error: `expected true or false, got ${JSON.stringify(s)}` },
  fromFile: (value) => value,
  schema: (zod) => zod.boolean(),
  accept: (value) => (typeof value === 'boolean' ? { value } : undefined),
};

/** A whole number from `min` to `max`. */
function count(what: string, min: number, max: number): SettingKind<number, number> {
  return {
    parse: (s) =>
      /^\d{1,9}$/.test(s) && Number(s) >= min && Number(s) <= max
        ? { value: Number(s) }
        : { error: `expected a whole number of ${what} from ${min} to ${max}, got ${JSON.stringify(s)}` },
    fromFile: (value) => value,
    schema: (zod) => zod.int(`expected a whole number of ${what} such as 3`).min(min).max(max),
    accept: (value) =>
      Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
        ? { value: value as number }
        : undefined,
  };
}

/** A duration (`30s`, `10m`, or ms) within `range`; kept in ms. */
function duration(range: DurationRange): SettingKind<number, string | number> {
  return {
    unit: 'ms',
    parse: (s) => durationIn(s, range),
    fromFile: (value) => parseDuration(value) as number,
    schema: (zod) =>
      zod.union([zod.string(), zod.number()]).superRefine((value, ctx) => {
        const checked = durationIn(value, range);
        if ('error' in checked) ctx.addIssue({ code: 'custom', message: checked.error });
      }),
    accept: (value) =>
      (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) &&
      'value' in durationIn(value, range)
        ? { value }
        : undefined,
  };
}

const PULL_POLICIES: readonly string[] = ['missing', 'always', 'never', 'newer'];

/** True for a named pull policy or an interval such as `24h`. */
export function isPullPolicy(value: string): boolean {
  return PULL_POLICIES.includes(value) || (parseDuration(value) ?? 0) > 0;
}

/** Durations that may be 0 (off, or at once) and those that may not (0 would fail at once). */
const ZERO_OK: DurationRange = { min: 0, max: MAX_DURATION_MS };
const ONE_MS: DurationRange = { min: 1, max: MAX_DURATION_MS };

/** Time each hook may take by default: pulls are long, everything else is quick. */
const HOOK_TIMEOUTS: Readonly<Record<HookName, number>> = {
  resolveImage: 30 * 60_000,
  credentials: 30_000,
  imageResolved: 5 * 60_000,
  unresolved: 10_000,
  beforeStart: 2 * 60_000,
  containerSpec: 10_000,
  afterStart: 5 * 60_000,
  beforeStop: 60_000,
  afterStop: 60_000,
  runtimeFind: 60_000,
  runtimeCreate: 30 * 60_000,
  runtimeUpdate: 30 * 60_000,
  runtimeInspect: 60_000,
  runtimeLogs: 60_000,
  runtimeStop: 5 * 60_000,
  renderManifest: 60_000,
};

/** `resolveImage` → `RESOLVE_IMAGE`, the suffix of a hook's timeout environment variable. */
export function envSuffix(hook: string): string {
  return hook.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

function hookTimeouts(): { readonly [K in HookName]: Setting<number, string | number> } {
  const entries = HOOK_NAMES.map((hook) => [
    hook,
    setting({
      kind: duration(ONE_MS),
      env: `STIGMER_TIMEOUT_${envSuffix(hook)}`,
      default: HOOK_TIMEOUTS[hook],
      doc: `${formatDuration(HOOK_TIMEOUTS[hook])}: how long one plugin's \`${hook}\` call may take`,
    }),
  ]);
  return Object.freeze(Object.fromEntries(entries)) as {
    readonly [K in HookName]: Setting<number, string | number>;
  };
}

/** The settings tree: a group per config section, a `Setting` per key. */
export const SETTINGS = Object.freeze({
  image: Object.freeze({
    /** The canonical local name of the agent-runner image. Default `stigmer-agent-runner:local`. */
    localTag: setting({
      kind: text('an image name such as stigmer-agent-runner:local', (s) => s.length > 0 && !/\s/.test(s)),
      env: 'STIGMER_LOCAL_TAG',
      default: 'stigmer-agent-runner:local',
      doc: '`stigmer-agent-runner:local`',
    }),
    /** `os/arch[/variant]` to resolve. Default: the engine's own platform. */
    platform: setting<string | undefined, string>({
      kind: text('os/arch[/variant] such as linux/arm64', (s) =>
        /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(s),
      ),
      env: 'STIGMER_PLATFORM',
      flag: '--platform',
      default: undefined,
      doc: "the engine's platform",
    }),
    /**
     * When registry plugins pull: `missing` (default), `always`, `never`,
     * `newer` (only when the registry's digest changed), or an interval such
     * as `24h` (`newer`, checked at most that often).
     */
    pullPolicy: setting({
      kind: text('missing, always, never, newer or an interval such as 24h', isPullPolicy),
      env: 'STIGMER_PULL_POLICY',
      flag: '--pull',
      default: 'missing',
      doc: "`missing`; also `always`, `never`, `newer` (pull only when the registry's digest changed), or an interval such as `24h` (`newer`, checked at most that often)",
    }),
  }),
  /** Nothing may touch the network: images come from the engine or an archive folder. Default false. */
  offline: setting({
    kind: bool,
    env: 'STIGMER_OFFLINE',
    flag: '--offline',
    default: false,
    doc: '`false`; `true`: nothing touches the network',
  }),
  /**
   * Build the image from its sources, for this run (`--build`): a plugin that
   * can build (rebuild) does. Not a config file key: `autoBuild` is the
   * rebuild plugin's standing choice.
   */
  build: setting<boolean, never>({
    kind: bool as unknown as SettingKind<boolean, never>,
    env: 'STIGMER_BUILD',
    flag: '--build',
    default: false,
    inFile: false,
    doc: '`false`; `true`: build the image from its sources (with the `rebuild` plugin); not a config file key',
  }),
  /** How registry pulls retry and when they count as stalled. */
  pull: Object.freeze({
    /** Retries after the first attempt, for rate limits, temporary errors and stalls. Default 3. */
    retries: setting({
      kind: count('retries', 0, 20),
      env: 'STIGMER_PULL_RETRIES',
      default: 3,
      doc: '`3`: retries after the first attempt for rate limits, temporary errors and stalls',
    }),
    /** Base delay of the exponential backoff between retries (doubling, capped at 30s, with jitter). Default 1s. */
    retryDelay: setting({
      kind: duration(ZERO_OK),
      env: 'STIGMER_PULL_RETRY_DELAY',
      default: 1000,
      doc: '`1s`: first backoff, doubling per retry, capped at 30s, with jitter (`Retry-After` wins)',
    }),
    /** No progress for this long: close the pull and retry. `0` disables. Default 60s. */
    stallTimeout: setting({
      kind: duration(ZERO_OK),
      env: 'STIGMER_PULL_STALL_TIMEOUT',
      default: 60_000,
      doc: '`60s`: no progress for this long closes the pull and retries; `0` disables',
    }),
  }),
  engine: Object.freeze({
    /** Engine address, like DOCKER_HOST. Default: discovered. */
    host: setting<string | undefined, string>({
      kind: text('an engine address such as unix:///var/run/docker.sock', (s) => /^[a-z]+:\/\//.test(s)),
      env: 'STIGMER_ENGINE_HOST',
      default: undefined,
      doc: 'discovered (below)',
    }),
    /** How long a quick engine call (inspect, list, create, remove) may take. Default 30s. */
    timeout: setting({
      kind: duration(ONE_MS),
      env: 'STIGMER_ENGINE_TIMEOUT',
      default: DEFAULT_ENGINE_TIMEOUT_MS,
      doc: '`30s`: how long a quick engine call (inspect, list, create, start, remove) may take before the engine counts as not answering (exit 69)',
    }),
  }),
  /** The agent-runner container that `stigmer server` manages. */
  server: Object.freeze({
    /** Container name. Default `stigmer-agent-runner`. */
    containerName: setting({
      kind: text('a container name such as stigmer-agent-runner', (s) =>
        /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(s),
      ),
      env: 'STIGMER_CONTAINER_NAME',
      default: 'stigmer-agent-runner',
      doc: '`stigmer-agent-runner`',
    }),
    /** The data folder (state, lock, workspace). Default `~/.stigmer/data`. */
    dataDir: setting<string | undefined, string>({
      kind: text('a folder path', (s) => s.length > 0),
      env: 'STIGMER_DATA_DIR',
      default: undefined,
      doc: '`~/.stigmer/data` (created 0700: lock, state, `workspace/`, `artifacts/`)',
    }),
    /** How long `server start` waits for the container to run (and be healthy, with a HEALTHCHECK). Default 2m. */
    readyTimeout: setting({
      kind: duration(ONE_MS),
      env: 'STIGMER_READY_TIMEOUT',
      default: 2 * 60_000,
      doc: '`2m`: how long `server start` waits for the container to be ready (healthy, or settled)',
    }),
    /** How long `server stop` waits for a graceful stop before killing. Default 10s. */
    stopTimeout: setting({
      kind: duration(ZERO_OK),
      env: 'STIGMER_STOP_TIMEOUT',
      default: 10_000,
      doc: '`10s`: graceful stop before the engine kills',
    }),
    /**
     * Without a HEALTHCHECK, how long the container must run without exiting
     * or restarting before `server start` calls it started. Default 3s.
     */
    settleTime: setting({
      kind: duration(ZERO_OK),
      env: 'STIGMER_SETTLE_TIME',
      default: 3000,
      doc: '`3s`: without a HEALTHCHECK, how long the container must run with no exit or restart before `server start` calls it started; `0`: at once',
    }),
  }),
  /**
   * The model the agent-runner uses, passed to its container as
   * `STIGMER_LLM_PROVIDER`, `STIGMER_LLM_MODEL` and `STIGMER_LLM_BASE_URL`
   * (also `OLLAMA_BASE_URL`). Below the environment, above the original CLI's
   * `~/.stigmer/config.yaml`.
   */
  llm: Object.freeze({
    /** Default `ollama`. */
    provider: setting({
      kind: trimmed('an LLM provider such as ollama, anthropic or openai'),
      env: 'STIGMER_LLM_PROVIDER',
      default: 'ollama',
      home: 'provider',
      doc: '`ollama` (passed to the agent-runner container as `STIGMER_LLM_PROVIDER`)',
    }),
    /** Default `qwen2.5-coder:7b`. */
    model: setting({
      kind: trimmed('a model name such as qwen2.5-coder:7b'),
      env: 'STIGMER_LLM_MODEL',
      default: 'qwen2.5-coder:7b',
      home: 'model',
      doc: '`qwen2.5-coder:7b` (as `STIGMER_LLM_MODEL`)',
    }),
    /** Default `http://localhost:11434`. */
    baseUrl: setting({
      kind: trimmed('a URL such as http://localhost:11434'),
      env: 'STIGMER_LLM_BASE_URL',
      default: 'http://localhost:11434',
      home: 'baseUrl',
      doc: '`http://localhost:11434` (as `STIGMER_LLM_BASE_URL` and `OLLAMA_BASE_URL`)',
    }),
  }),
  /** How long each hook may take per plugin, e.g. `{ resolveImage: 10m }`. */
  timeouts: hookTimeouts(),
});

/** The settings tree's shape: groups of settings, nested. */
export type SettingsTree = typeof SETTINGS;

/** What hosts read: each setting's value, in the tree's shape. */
export type SettingValues<T = SettingsTree> = {
  -readonly [K in keyof T]: T[K] extends Setting<infer V, unknown> ? V : SettingValues<T[K]>;
};

/** What a config file may hold for each setting, in the tree's shape; every key optional. */
export type SettingsInFile<T = SettingsTree> = {
  [K in keyof T]?: T[K] extends Setting<unknown, infer F> ? F : SettingsInFile<T[K]>;
};

/** A setting with its key (`image.localTag`), as the table lists them. */
export interface DeclaredSetting extends Setting<unknown, unknown> {
  key: string;
  /** The key's path in the tree. */
  path: readonly string[];
}

function isSetting(node: unknown): node is Setting<unknown, unknown> {
  return typeof node === 'object' && node !== null && 'kind' in node && 'env' in node;
}

function flatten(tree: object, at: readonly string[] = []): DeclaredSetting[] {
  return Object.entries(tree).flatMap(([name, node]) =>
    isSetting(node)
      ? [{ ...node, key: [...at, name].join('.'), path: [...at, name] }]
      : flatten(node as object, [...at, name]),
  );
}

/** Every setting with its key, in the tree's order. */
export const DECLARED_SETTINGS: readonly DeclaredSetting[] = Object.freeze(flatten(SETTINGS));

/** The default of every hook's timeout, by hook. */
export const DEFAULT_TIMEOUTS: Readonly<Record<HookName, number>> = Object.freeze({ ...HOOK_TIMEOUTS });
