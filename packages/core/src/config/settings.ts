import { durationIn, parseDuration } from '../duration.js';
import { DEFAULT_ENGINE_TIMEOUT_MS } from '../engine/deadline.js';
import { ConfigError } from '../errors.js';
import { HOOK_NAMES, type HookName } from '../hooks.js';
import type { PullPolicy } from '../image/types.js';
import type { HookTimeouts } from '../pipeline/pipeline.js';
import { envSuffix } from '../pipeline/pipeline.js';
import { durationRange } from './durations.js';
import type { HomeConfig } from './home-config.js';
import type { ConfigFile, PluginEntry } from './schema-types.js';

/** Where a setting's value came from, for `stigmer config print`. */
export interface SettingSource {
  kind: 'flag' | 'env' | 'file' | 'default';
  /** `--platform`, `STIGMER_PLATFORM`, the config file's path, or `built-in default`. */
  name: string;
}

/** A plugin as the settings name it, before it is loaded. */
export interface PluginSpec {
  specifier: string;
  options: Record<string, unknown>;
  /** Position in the `plugins` list, for error paths such as `plugins[1][1].registry`. */
  index: number;
}

/** Every setting core uses, with defaults applied. */
export interface Settings {
  plugins: PluginSpec[];
  /** The canonical local image name (`image.localTag`). */
  localTag: string;
  /** `image.platform`: `os/arch[/variant]`, or the engine's own when undefined. */
  platform: string | undefined;
  /** `engine.host`: an explicit engine address, like DOCKER_HOST. */
  engineHost: string | undefined;
  /** `engine.timeout` in ms: how long a quick engine call (inspect, list, create, remove) may take. */
  engineTimeout: number;
  /** `image.pullPolicy`: when registry plugins pull; an interval (`24h`) means `newer`, checked at most that often. */
  pullPolicy: PullPolicy;
  /** The interval of an interval pull policy, in ms; undefined for the others. */
  pullInterval: number | undefined;
  /** `offline`: nothing may touch the network. */
  offline: boolean;
  /** `build` (`--build`, `STIGMER_BUILD`): build the image from its sources when a plugin can. */
  build: boolean;
  /** `pull.*`: retries, backoff and stall detection of registry pulls. */
  pull: { retries: number; retryDelayMs: number; stallTimeoutMs: number };
  /** `server.containerName`: the agent-runner container's name. */
  containerName: string;
  /** `server.dataDir`: the data folder; undefined means `~/.stigmer/data`. */
  dataDir: string | undefined;
  /** `server.readyTimeout` in ms: how long `server start` waits for running (and healthy). */
  readyTimeout: number;
  /** `server.stopTimeout` in ms: the graceful stop's grace period before a kill. */
  stopTimeout: number;
  /** `llm.*`: the model the agent-runner uses, always passed to its container. */
  llm: { provider: string; model: string; baseUrl: string };
  /** `server.settleTime` in ms: without a HEALTHCHECK, how long the container must run undisturbed. */
  settleTime: number;
  timeouts: HookTimeouts;
}

/** Settings with the source of each value. */
export interface ResolvedSettings {
  settings: Settings;
  /** Keyed by the setting's key in config (`image.platform`, `timeouts.resolveImage`, `plugins`). */
  sources: Record<string, { value: unknown; source: SettingSource; unit?: 'ms' }>;
}

/** What `resolveSettings` layers, highest precedence first: flags, environment, file, defaults. */
export interface SettingInputs {
  /** Flag values by setting key (`{ 'image.platform': 'linux/arm64' }`), with the flag's name. */
  flags?: Record<string, { value: string; flag: string }>;
  env: Readonly<Record<string, string | undefined>>;
  file?: { path: string; config: ConfigFile } | undefined;
  /** The original CLI's `~/.stigmer/config.yaml`, below the config file: only its LLM settings. */
  homeConfig?: HomeConfig | undefined;
  /** The plugin chain used when the file gives none (the CLI's embedded default). */
  defaultPlugins: readonly string[];
}

/** Time each hook may take by default: pulls are long, everything else is quick. */
export const DEFAULT_TIMEOUTS: HookTimeouts = Object.freeze({
  resolveImage: 30 * 60_000,
  credentials: 30_000,
  imageResolved: 5 * 60_000,
  unresolved: 10_000,
  beforeStart: 2 * 60_000,
  containerSpec: 10_000,
  afterStart: 5 * 60_000,
  beforeStop: 60_000,
  afterStop: 60_000,
});

interface ScalarSetting {
  key: string;
  env: string;
  default: unknown;
  /** Turns env/flag text into a value, or returns an error message. */
  parse(text: string): { value: unknown } | { error: string };
  fromFile(config: ConfigFile): unknown;
  /** The value in the original CLI's `~/.stigmer/config.yaml`, for the few settings it held. */
  fromHomeConfig?(home: HomeConfig): unknown;
  /** `ms` for durations: kept in ms, shown as written (`30s`) by `config print`. */
  unit?: 'ms';
}

const parseBoolean = (s: string) =>
  /^(1|true|yes)$/i.test(s)
    ? { value: true }
    : /^(0|false|no)$/i.test(s)
      ? { value: false }
      : { error: `expected true or false, got ${JSON.stringify(s)}` };

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

const text = (expected: string, test: (s: string) => boolean) => (s: string) =>
  test(s) ? { value: s } : { error: `expected ${expected}, got ${JSON.stringify(s)}` };

/** A duration setting: parsed from env and flags within its range, read from a file the schema checked. */
function durationSetting(
  key: string,
  env: string,
  defaultMs: number,
  fromFile: (config: ConfigFile) => string | number | undefined,
): ScalarSetting {
  return {
    key,
    env,
    default: defaultMs,
    unit: 'ms',
    parse: (s) => durationIn(s, durationRange(key)),
    fromFile: (c) => {
      const raw = fromFile(c);
      return raw === undefined ? undefined : parseDuration(raw);
    },
  };
}

/** One `llm.*` setting: also read from the original CLI's `~/.stigmer/config.yaml`. */
function llmSetting(
  field: 'provider' | 'model' | 'baseUrl',
  env: string,
  fallback: string,
  expected: string,
): ScalarSetting {
  return {
    key: `llm.${field}`,
    env,
    default: fallback,
    parse: text(expected, (s) => s.trim().length > 0),
    fromFile: (c) => c.llm?.[field],
    fromHomeConfig: (h) => h.llm[field],
  };
}

/** The scalar settings, each declared once with its key, environment variable and default. */
export const SCALAR_SETTINGS: readonly ScalarSetting[] = [
  {
    key: 'image.localTag',
    env: 'STIGMER_LOCAL_TAG',
    default: 'stigmer-agent-runner:local',
    parse: text('an image name such as stigmer-agent-runner:local', (s) => s.length > 0 && !/\s/.test(s)),
    fromFile: (c) => c.image?.localTag,
  },
  {
    key: 'image.platform',
    env: 'STIGMER_PLATFORM',
    default: undefined,
    parse: text('os/arch[/variant] such as linux/arm64', (s) => PLATFORM.test(s)),
    fromFile: (c) => c.image?.platform,
  },
  {
    key: 'engine.host',
    env: 'STIGMER_ENGINE_HOST',
    default: undefined,
    parse: text('an engine address such as unix:///var/run/docker.sock', (s) => /^[a-z]+:\/\//.test(s)),
    fromFile: (c) => c.engine?.host,
  },
  durationSetting(
    'engine.timeout',
    'STIGMER_ENGINE_TIMEOUT',
    DEFAULT_ENGINE_TIMEOUT_MS,
    (c) => c.engine?.timeout,
  ),
  {
    key: 'image.pullPolicy',
    env: 'STIGMER_PULL_POLICY',
    default: 'missing',
    parse: text('missing, always, never, newer or an interval such as 24h', isPullPolicy),
    fromFile: (c) => c.image?.pullPolicy,
  },
  {
    key: 'pull.retries',
    env: 'STIGMER_PULL_RETRIES',
    default: 3,
    parse: (s) =>
      /^\d{1,2}$/.test(s) && Number(s) <= 20
        ? { value: Number(s) }
        : { error: `expected a whole number of retries from 0 to 20, got ${JSON.stringify(s)}` },
    fromFile: (c) => c.pull?.retries,
  },
  durationSetting('pull.retryDelay', 'STIGMER_PULL_RETRY_DELAY', 1000, (c) => c.pull?.retryDelay),
  durationSetting('pull.stallTimeout', 'STIGMER_PULL_STALL_TIMEOUT', 60_000, (c) => c.pull?.stallTimeout),
  {
    key: 'offline',
    env: 'STIGMER_OFFLINE',
    default: false,
    parse: parseBoolean,
    fromFile: (c) => c.offline,
  },
  {
    key: 'build',
    env: 'STIGMER_BUILD',
    default: false,
    parse: parseBoolean,
    // A request for this run (`--build`), never a file's: `autoBuild` is the rebuild plugin's standing choice.
    fromFile: () => undefined,
  },
  {
    key: 'server.containerName',
    env: 'STIGMER_CONTAINER_NAME',
    default: 'stigmer-agent-runner',
    parse: text('a container name such as stigmer-agent-runner', (s) =>
      /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(s),
    ),
    fromFile: (c) => c.server?.containerName,
  },
  {
    key: 'server.dataDir',
    env: 'STIGMER_DATA_DIR',
    default: undefined,
    parse: text('a folder path', (s) => s.length > 0),
    fromFile: (c) => c.server?.dataDir,
  },
  durationSetting('server.readyTimeout', 'STIGMER_READY_TIMEOUT', 2 * 60_000, (c) => c.server?.readyTimeout),
  durationSetting('server.stopTimeout', 'STIGMER_STOP_TIMEOUT', 10_000, (c) => c.server?.stopTimeout),
  durationSetting('server.settleTime', 'STIGMER_SETTLE_TIME', 3000, (c) => c.server?.settleTime),
  // The original CLI's LLM settings: environment, then config (ours, then its
  // ~/.stigmer/config.yaml), then its defaults; always passed to the container.
  llmSetting(
    'provider',
    'STIGMER_LLM_PROVIDER',
    'ollama',
    'an LLM provider such as ollama, anthropic or openai',
  ),
  llmSetting('model', 'STIGMER_LLM_MODEL', 'qwen2.5-coder:7b', 'a model name such as qwen2.5-coder:7b'),
  llmSetting(
    'baseUrl',
    'STIGMER_LLM_BASE_URL',
    'http://localhost:11434',
    'a URL such as http://localhost:11434',
  ),
  ...HOOK_NAMES.map((hook) =>
    durationSetting(
      `timeouts.${hook}`,
      `STIGMER_TIMEOUT_${envSuffix(hook)}`,
      DEFAULT_TIMEOUTS[hook],
      (c) => c.timeouts?.[hook],
    ),
  ),
];

/** Layers flags over environment over file over defaults, recording where each value came from. */
export function resolveSettings(inputs: SettingInputs): ResolvedSettings {
  const sources: ResolvedSettings['sources'] = {};
  const envIssues: { key: string; message: string }[] = [];
  for (const setting of SCALAR_SETTINGS) {
    const flag = inputs.flags?.[setting.key];
    const envText = inputs.env[setting.env];
    const fileValue = inputs.file ? setting.fromFile(inputs.file.config) : undefined;
    const homeValue = inputs.homeConfig ? setting.fromHomeConfig?.(inputs.homeConfig) : undefined;
    if (flag !== undefined) {
      const parsed = setting.parse(flag.value);
      if ('error' in parsed)
        throw new ConfigError('CONFIG_INVALID', `Invalid value for ${flag.flag}: ${parsed.error}.`, {
          details: { source: 'the command line', issues: [{ key: flag.flag, message: parsed.error }] },
        });
      sources[setting.key] = { value: parsed.value, source: { kind: 'flag', name: flag.flag } };
    } else if (envText !== undefined && envText !== '') {
      const parsed = setting.parse(envText);
      if ('error' in parsed)
        envIssues.push({ key: `${setting.env} (${setting.key})`, message: parsed.error });
      else sources[setting.key] = { value: parsed.value, source: { kind: 'env', name: setting.env } };
    } else if (fileValue !== undefined && inputs.file) {
      sources[setting.key] = { value: fileValue, source: { kind: 'file', name: inputs.file.path } };
    } else if (homeValue !== undefined && inputs.homeConfig) {
      sources[setting.key] = { value: homeValue, source: { kind: 'file', name: inputs.homeConfig.path } };
    } else {
      sources[setting.key] = {
        value: setting.default,
        source: { kind: 'default', name: 'built-in default' },
      };
    }
  }
  for (const setting of SCALAR_SETTINGS) {
    const entry = sources[setting.key];
    // Durations are kept in ms; the unit lets `config print` show them as written (`30s`).
    if (entry && setting.unit) entry.unit = setting.unit;
  }
  if (envIssues.length > 0) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `Invalid stigmer settings in the environment:\n${envIssues.map((i) => `  - ${i.key}: ${i.message}`).join('\n')}`,
      { details: { source: 'the environment', issues: envIssues } },
    );
  }
  const filePlugins = inputs.file?.config.plugins;
  sources.plugins =
    filePlugins && inputs.file
      ? { value: filePlugins, source: { kind: 'file', name: inputs.file.path } }
      : { value: inputs.defaultPlugins, source: { kind: 'default', name: 'built-in default' } };
  const value = (key: string) => sources[key]?.value;
  return {
    sources,
    settings: {
      plugins: toSpecs((filePlugins ?? inputs.defaultPlugins) as readonly PluginEntry[]),
      localTag: value('image.localTag') as string,
      platform: value('image.platform') as string | undefined,
      engineHost: value('engine.host') as string | undefined,
      engineTimeout: value('engine.timeout') as number,
      ...pullPolicyOf(String(value('image.pullPolicy'))),
      offline: value('offline') === true,
      build: value('build') === true,
      pull: {
        retries: value('pull.retries') as number,
        retryDelayMs: value('pull.retryDelay') as number,
        stallTimeoutMs: value('pull.stallTimeout') as number,
      },
      containerName: value('server.containerName') as string,
      dataDir: value('server.dataDir') as string | undefined,
      readyTimeout: value('server.readyTimeout') as number,
      stopTimeout: value('server.stopTimeout') as number,
      llm: {
        provider: value('llm.provider') as string,
        model: value('llm.model') as string,
        baseUrl: value('llm.baseUrl') as string,
      },
      settleTime: value('server.settleTime') as number,
      timeouts: Object.fromEntries(HOOK_NAMES.map((h) => [h, value(`timeouts.${h}`)])) as Record<
        HookName,
        number
      >,
    },
  };
}

const PULL_POLICIES: readonly string[] = ['missing', 'always', 'never', 'newer'];

/** True for a named pull policy or an interval such as `24h`. */
export function isPullPolicy(text: string): boolean {
  return PULL_POLICIES.includes(text) || (parseDuration(text) ?? 0) > 0;
}

/** `24h` is the `newer` policy checked at most once per 24 hours. */
function pullPolicyOf(text: string): { pullPolicy: PullPolicy; pullInterval: number | undefined } {
  if (PULL_POLICIES.includes(text)) return { pullPolicy: text as PullPolicy, pullInterval: undefined };
  return { pullPolicy: 'newer', pullInterval: parseDuration(text) };
}

function toSpecs(entries: readonly PluginEntry[]): PluginSpec[] {
  return entries.map((entry, index) =>
    typeof entry === 'string'
      ? { specifier: entry, options: {}, index }
      : { specifier: entry[0], options: entry[1] ?? {}, index },
  );
}
