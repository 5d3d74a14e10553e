// fs.promises, not node:fs/promises: loaded on first use (it costs ~4 ms of start-up).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { definePlugin, type RunInfo, type StigmerPlugin } from '@stigmer/core';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import type { AgentRunnerOptions } from './options.js';
import { VERSION } from './package-version.js';
import { agentRunnerSpec, type HostAddress, type LlmSettings, unreachableAddresses } from './spec.js';

/** Facts about the machine the plugin would otherwise read from `process`; for tests. */
export interface AgentRunnerHost {
  /** Default `process.platform`. */
  platform?: NodeJS.Platform;
}

/**
 * Contributes the agent-runner container through the `containerSpec` hook:
 * environment (the LLM settings always, as the original CLI passed them),
 * volumes, restart policy, host networking on Linux, log rotation. API keys
 * come from stigmer's environment and are marked secret. Before the start it
 * creates the workspace and artifacts folders, so the engine does not create
 * them as root. Without host networking on Linux, loopback addresses the
 * container cannot reach are a warning (or, with `hostGateway`, go through
 * `host.docker.internal`).
 */
export function agentRunnerPlugin(host: AgentRunnerHost = {}): StigmerPlugin<AgentRunnerOptions> {
  const platform = host.platform ?? process.platform;
  return definePlugin<AgentRunnerOptions>({
    name: 'stigmer:agent-runner',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    defaultOptions: DEFAULT_OPTIONS,
    apply(hooks, options) {
      hooks.beforeStart.tap(async (request) => {
        await Promise.all(
          ['workspace', 'artifacts'].map((name) =>
            fs.mkdir(path.join(request.dataDir, name), { recursive: true }),
          ),
        );
      });
      hooks.containerSpec.tap((spec, ctx) => {
        const llm = llmSettings(ctx.run.settings);
        const stranded = unreachableAddresses({ options, llm, platform });
        if (stranded.length > 0) ctx.log.warn(strandedWarning(stranded));
        const next = agentRunnerSpec(spec, {
          options,
          env: ctx.run.env,
          llm,
          platform,
          dataDir: ctx.run.dataDir,
        });
        ctx.note(`agent-runner container ${next.name}, network ${next.networkMode ?? 'default'}`);
        return next;
      });
    },
  });
}

/** The `llm.*` settings the run resolved (environment, config, `~/.stigmer/config.yaml`, defaults). */
function llmSettings(settings: RunInfo['settings']): LlmSettings {
  const text = (key: string) => (typeof settings[key] === 'string' ? (settings[key] as string) : undefined);
  return { provider: text('llm.provider'), model: text('llm.model'), baseUrl: text('llm.baseUrl') };
}

function strandedWarning(addresses: HostAddress[]): string {
  const list = addresses.map((a) => `${a.value} (${a.setting})`).join(', ');
  return [
    `hostNetwork is false, so the agent-runner container has a network of its own and cannot reach ${list}: inside it, localhost is the container itself.`,
    'Use host.docker.internal instead, which Linux engines resolve only with `--add-host host.docker.internal:host-gateway`:',
    'set the agent-runner option `hostGateway: true` and stigmer adds that entry and uses host.docker.internal in these addresses',
    '(the services must then listen on an address the container can reach, not only 127.0.0.1).',
  ].join(' ');
}
