import path from 'node:path';
import type { ContainerSpec } from '@stigmer/core';
import { containerAddress, HOST_GATEWAY_ENTRY, isLoopback, viaHostAlias } from './host-address.js';
import type { AgentRunnerOptions } from './options.js';

/** API keys passed from stigmer's environment to the runner, as the original CLI did. */
export const DEFAULT_SECRET_ENV: readonly string[] = Object.freeze(['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);

/** The model the runner uses: stigmer's `llm.*` settings (environment, config, `~/.stigmer/config.yaml`, defaults). */
export interface LlmSettings {
  provider?: string | undefined;
  model?: string | undefined;
  baseUrl?: string | undefined;
}

/** What the spec depends on besides the options. */
export interface SpecInputs {
  options: AgentRunnerOptions;
  /** stigmer's own environment: API keys come from here. */
  env: Readonly<Record<string, string | undefined>>;
  /** The `llm.*` settings, passed to the container as the original CLI did. */
  llm: LlmSettings;
  /** The host OS: decides host networking and the host-address rewrite. */
  platform: NodeJS.Platform;
  /** The data folder; the workspace and artifacts live under it. */
  dataDir: string;
}

/** An address of the host the container is given, by the name of the setting it comes from. */
export interface HostAddress {
  setting: string;
  value: string;
}

/** Whether the container shares the host's network: the option, else Linux only. */
export function usesHostNetwork(options: AgentRunnerOptions, platform: NodeJS.Platform): boolean {
  return options.hostNetwork ?? platform === 'linux';
}

/** Whether the container reaches the host as `host.docker.internal` through an `--add-host` entry. */
function usesHostGateway(options: AgentRunnerOptions, platform: NodeJS.Platform): boolean {
  return options.hostGateway && !usesHostNetwork(options, platform);
}

/** The host addresses the runner is given (before any rewrite). */
export function hostAddresses(options: AgentRunnerOptions, llm: LlmSettings): HostAddress[] {
  const all = [
    { setting: 'backendEndpoint', value: options.backendEndpoint },
    { setting: 'temporalAddress', value: options.temporalAddress },
    { setting: 'llm.baseUrl', value: llm.baseUrl },
  ];
  return all.filter((a): a is HostAddress => a.value !== undefined);
}

/**
 * Loopback addresses the container cannot reach: on Linux, without host
 * networking and without the host gateway entry, `localhost` inside the
 * container is the container itself. (On macOS and Windows they are rewritten
 * to `host.docker.internal`, which Docker Desktop provides.)
 */
export function unreachableAddresses(inputs: Omit<SpecInputs, 'env' | 'dataDir'>): HostAddress[] {
  const { options, llm, platform } = inputs;
  if (platform !== 'linux' || usesHostNetwork(options, platform) || usesHostGateway(options, platform))
    return [];
  return hostAddresses(options, llm).filter((a) => isLoopback(a.value));
}

/**
 * The agent-runner container exactly as the original CLI ran it (`docker run
 * -d --name stigmer-agent-runner --restart unless-stopped [--network host]
 * -e ... -v <data>/workspace:/workspace -v <data>/artifacts:/artifacts
 * --log-driver json-file --log-opt max-size=10m --log-opt max-file=3`),
 * added to the spec built so far. The name comes from core (`server.containerName`).
 */
export function agentRunnerSpec(spec: ContainerSpec, inputs: SpecInputs): ContainerSpec {
  const { options, env, llm, platform, dataDir } = inputs;
  const gateway = usesHostGateway(options, platform);
  const address = (value: string) => (gateway ? viaHostAlias(value) : containerAddress(value, platform));
  const runnerEnv: Record<string, string> = {
    MODE: 'local',
    STIGMER_BACKEND_ENDPOINT: address(options.backendEndpoint),
    TEMPORAL_SERVICE_ADDRESS: address(options.temporalAddress),
    TEMPORAL_NAMESPACE: options.temporalNamespace,
    TASK_QUEUE: options.taskQueue,
    SANDBOX_TYPE: 'filesystem',
    WORKSPACE_ROOT: '/workspace',
    LOG_LEVEL: options.logLevel,
  };
  if (llm.provider) runnerEnv.STIGMER_LLM_PROVIDER = llm.provider;
  if (llm.model) runnerEnv.STIGMER_LLM_MODEL = llm.model;
  if (llm.baseUrl) {
    runnerEnv.STIGMER_LLM_BASE_URL = address(llm.baseUrl);
    runnerEnv.OLLAMA_BASE_URL = address(llm.baseUrl);
  }
  const secretNames = [...DEFAULT_SECRET_ENV, ...options.secretEnv];
  const secrets: Record<string, string> = {};
  for (const name of secretNames) {
    const value = env[name];
    if (value) secrets[name] = value;
  }

  const next: ContainerSpec = {
    ...spec,
    env: { ...spec.env, ...runnerEnv, ...options.env, ...secrets },
    mounts: [
      ...spec.mounts,
      { source: path.join(dataDir, 'workspace'), target: '/workspace' },
      { source: path.join(dataDir, 'artifacts'), target: '/artifacts' },
    ],
    restartPolicy: 'unless-stopped',
    log: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
    secretEnv: [...new Set([...(spec.secretEnv ?? []), ...Object.keys(secrets)])],
  };
  if (usesHostNetwork(options, platform)) next.networkMode = 'host';
  if (gateway) next.extraHosts = [...new Set([...(spec.extraHosts ?? []), HOST_GATEWAY_ENTRY])];
  if (options.command) next.command = [...options.command];
  if (options.user) next.user = options.user;
  if (options.init !== undefined) next.init = options.init;
  return next;
}
