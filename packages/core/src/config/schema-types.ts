/** A plugin entry in config: `"name"` or `["name", { options }]`. */
export type PluginEntry = string | [string] | [string, Record<string, unknown>];

/**
 * The shape of a stigmer config file (`.stigmerrc`, `stigmer.config.js`, the
 * `stigmer` key of package.json). Declared as a plain type so that code which
 * only reads settings never loads the validator; `config/schema.ts` checks
 * files against exactly this shape.
 */
export interface ConfigFile {
  /** A JSON Schema URL for editors; ignored by stigmer. */
  $schema?: string;
  /** The plugin chain, in order. Absent: the embedded default (local-image, ghcr, build-hint). */
  plugins?: PluginEntry[];
  image?: {
    /** The canonical local name of the agent-runner image. Default `stigmer-agent-runner:local`. */
    localTag?: string;
    /** `os/arch[/variant]` to resolve. Default: the engine's own platform. */
    platform?: string;
    /**
     * When registry plugins pull: `missing` (default), `always`, `never`,
     * `newer` (only when the registry's digest changed), or an interval such
     * as `24h` (`newer`, checked at most that often).
     */
    pullPolicy?: string;
  };
  /** Nothing may touch the network: images come from the engine or an archive folder. Default false. */
  offline?: boolean;
  engine?: {
    /** Engine address, like DOCKER_HOST. Default: discovered. */
    host?: string;
    /** How long a quick engine call (inspect, list, create, remove) may take. Default 30s. */
    timeout?: string | number;
  };
  /** How registry pulls retry and when they count as stalled. */
  pull?: {
    /** Retries after the first attempt, for rate limits, temporary errors and stalls. Default 3. */
    retries?: number;
    /** Base delay of the exponential backoff between retries (doubling, capped at 30s, with jitter). Default 1s. */
    retryDelay?: string | number;
    /** No progress for this long: close the pull and retry. `0` disables. Default 60s. */
    stallTimeout?: string | number;
  };
  /** The agent-runner container that `stigmer server` manages. */
  server?: {
    /** Container name. Default `stigmer-agent-runner`. */
    containerName?: string;
    /** The data folder (state, lock, workspace). Default `~/.stigmer/data`; env `STIGMER_DATA_DIR`. */
    dataDir?: string;
    /** How long `server start` waits for the container to run (and be healthy, with a HEALTHCHECK). Default 2m. */
    readyTimeout?: string | number;
    /** How long `server stop` waits for a graceful stop before killing. Default 10s. */
    stopTimeout?: string | number;
    /**
     * Without a HEALTHCHECK, how long the container must run without exiting
     * or restarting before `server start` calls it started. Default 3s.
     */
    settleTime?: string | number;
  };
  /**
   * The model the agent-runner uses, passed to its container as
   * `STIGMER_LLM_PROVIDER`, `STIGMER_LLM_MODEL` and `STIGMER_LLM_BASE_URL`
   * (also `OLLAMA_BASE_URL`). Below the environment, above the original CLI's
   * `~/.stigmer/config.yaml`; defaults `ollama`, `qwen2.5-coder:7b`, `http://localhost:11434`.
   */
  llm?: {
    provider?: string;
    model?: string;
    baseUrl?: string;
  };
  /** How long each hook may take per plugin, e.g. `{ resolveImage: 10m }`. */
  timeouts?: Partial<Record<import('../hooks.js').HookName, string | number>>;
}
