import { z } from '@stigmer/core/options';

/** Options of `@stigmer/plugin-agent-runner`. Every one has a default, so none is required. */
export interface AgentRunnerOptions {
  /** The stigmer server's gRPC address, as `host:port`. Default `localhost:7234`. */
  backendEndpoint?: string;
  /** Temporal's frontend, as `host:port`. Default `localhost:7233`. */
  temporalAddress?: string;
  /** Default `default`. */
  temporalNamespace?: string;
  /** Default `agent_execution_runner`. */
  taskQueue?: string;
  /** The runner's `LOG_LEVEL`. Default `DEBUG`, as the original CLI set it. */
  logLevel?: string;
  /** More environment for the container; wins over the values above. */
  env?: Record<string, string>;
  /**
   * More variables to pass from stigmer's own environment as secrets (never
   * printed, never written to state), besides `ANTHROPIC_API_KEY` and `OPENAI_API_KEY`.
   */
  secretEnv?: string[];
  /** Replaces the image's command. */
  command?: string[];
  /** Runs as this user (`name`, `uid` or `uid:gid`) instead of the image's. */
  user?: string;
  /** Runs an init process as PID 1 (`docker run --init`). Default: not set, as the original. */
  init?: boolean;
  /** Host networking. Default: on Linux only, where it lets the runner reach services on localhost. */
  hostNetwork?: boolean;
  /**
   * Without host networking: reach the host as `host.docker.internal`. Adds
   * `--add-host host.docker.internal:host-gateway` and uses that name in
   * every loopback address the runner is given (backend, Temporal, LLM). The
   * services must then listen on an address the container can reach, not only
   * 127.0.0.1. Default false: on Linux, stigmer warns about loopback addresses instead.
   */
  hostGateway?: boolean;
}

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');
const address = z.string().regex(/^\S+:\d+$/, 'expected host:port such as localhost:7233');

/** Strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  backendEndpoint: address.optional(),
  temporalAddress: address.optional(),
  temporalNamespace: z.string().min(1).optional(),
  taskQueue: z.string().min(1).optional(),
  logLevel: z.string().min(1).optional(),
  env: z.record(envName, z.string()).optional(),
  secretEnv: z.array(envName).optional(),
  command: z.array(z.string()).min(1, 'expected at least the program to run').optional(),
  user: z.string().min(1).optional(),
  init: z.boolean().optional(),
  hostNetwork: z.boolean().optional(),
  hostGateway: z.boolean().optional(),
});
