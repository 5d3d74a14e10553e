import path from 'node:path';
import type { ContainerSpec } from '@stigmer/core';
import { containerAddress } from './host-address.js';
import type { AgentRunnerOptions } from './options.js';

/** API keys passed from stigmer's environment to the runner, as the original CLI did. */
export const DEFAULT_SECRET_ENV: readonly string[] = Object.freeze(['ANTHROPIC_API_KEY', 'OPENAI_API_KEY']);

/** What the spec depends on besides the options. */
export interface SpecInputs {
  options: AgentRunnerOptions;
  /** stigmer's own environment: LLM settings and API keys come from here. */
  env: Readonly<Record<string, string | undefined>>;
  /** The host OS: decides host networking and the host-address rewrite. */
  platform: NodeJS.Platform;
  /** The data folder; the workspace and artifacts live under it. */
  dataDir: string;
}

/**
 * The agent-runner container exactly as the original CLI ran it (`docker run
 * -d --name stigmer-agent-runner --restart unless-stopped [--network host]
 * -e ... -v <data>/workspace:/workspace -v <data>/artifacts:/artifacts
 * --log-driver json-file --log-opt max-size=10m --log-opt max-file=3`),
 * added to the spec built so far. The name comes from core (`server.containerName`).
 */
export function agentRunnerSpec(spec: ContainerSpec, inputs: SpecInputs): ContainerSpec {
  const { options, env, platform, dataDir } = inputs;
  const address = (value: string) => containerAddress(value, platform);
  const llm = {
    provider: options.llm?.provider ?? env.STIGMER_LLM_PROVIDER,
    model: options.llm?.model ?? env.STIGMER_LLM_MODEL,
    baseUrl: options.llm?.baseUrl ?? env.STIGMER_LLM_BASE_URL,
  };
  const runnerEnv: Record<string, string> = {
    MODE: 'local',
    STIGMER_BACKEND_ENDPOINT: address(options.backendEndpoint ?? 'localhost:7234'),
    TEMPORAL_SERVICE_ADDRESS: address(options.temporalAddress ?? 'localhost:7233'),
    TEMPORAL_NAMESPACE: options.temporalNamespace ?? 'default',
    TASK_QUEUE: options.taskQueue ?? 'agent_execution_runner',
    SANDBOX_TYPE: 'filesystem',
    WORKSPACE_ROOT: '/workspace',
    LOG_LEVEL: options.logLevel ?? 'DEBUG',
  };
  if (llm.provider) runnerEnv.STIGMER_LLM_PROVIDER = llm.provider;
  if (llm.model) runnerEnv.STIGMER_LLM_MODEL = llm.model;
  if (llm.baseUrl) {
    runnerEnv.STIGMER_LLM_BASE_URL = address(llm.baseUrl);
    runnerEnv.OLLAMA_BASE_URL = address(llm.baseUrl);
  }
  const secretNames = [...DEFAULT_SECRET_ENV, ...(options.secretEnv ?? [])];
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
  if (options.hostNetwork ?? platform === 'linux') next.networkMode = 'host';
  if (options.command) next.command = [...options.command];
  if (options.user) next.user = options.user;
  if (options.init !== undefined) next.init = options.init;
  return next;
}
