import { z } from '@stigmer/core/options';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');
const address = z.string().regex(/^\S+:\d+$/, 'expected host:port such as localhost:7233');

/** The options of `@stigmer/plugin-agent-runner`, strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  /** The stigmer server's gRPC address, as `host:port`. Default `localhost:7234`. */
  backendEndpoint: address.default('localhost:7234'),
  /** Temporal's frontend, as `host:port`. Default `localhost:7233`. */
  temporalAddress: address.default('localhost:7233'),
  /** Default `default`. */
  temporalNamespace: z.string().min(1).default('default'),
  /** Default `agent_execution_runner`. */
  taskQueue: z.string().min(1).default('agent_execution_runner'),
  /** The runner's `LOG_LEVEL`. Default `DEBUG`, as the original CLI set it. */
  logLevel: z.string().min(1).default('DEBUG'),
  /** More environment for the container; wins over the values above. */
  env: z.record(envName, z.string()).default({}),
  /**
   * More variables to pass from stigmer's own environment as secrets (never
   * printed, never written to state), besides `ANTHROPIC_API_KEY` and `OPENAI_API_KEY`.
   */
  secretEnv: z.array(envName).default([]),
  /** Replaces the image's command. */
  command: z.array(z.string()).min(1, 'expected at least the program to run').optional(),
  /** Runs as this user (`name`, `uid` or `uid:gid`) instead of the image's. */
  user: z.string().min(1).optional(),
  /** Runs an init process as PID 1 (`docker run --init`). Default: not set, as the original. */
  init: z.boolean().optional(),
  /** Host networking. Default: on Linux only, where it lets the runner reach services on localhost. */
  hostNetwork: z.boolean().optional(),
  /**
   * Without host networking: reach the host as `host.docker.internal`. Adds
   * `--add-host host.docker.internal:host-gateway` and uses that name in
   * every loopback address the runner is given (backend, Temporal, LLM). The
   * services must then listen on an address the container can reach, not only
   * 127.0.0.1. Default false: on Linux, stigmer warns about loopback addresses instead.
   */
  hostGateway: z.boolean().default(false),
});

/** Options of `@stigmer/plugin-agent-runner`, as the plugin gets them. Every one has a default, so none is required. */
export type AgentRunnerOptions = z.output<typeof optionsSchema>;
/** The options as written in config. */
export type AgentRunnerOptionsInput = z.input<typeof optionsSchema>;
