import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { definePlugin, type StigmerPlugin } from '@stigmer/core';
import type { AgentRunnerOptions } from './options.js';
import { agentRunnerSpec } from './spec.js';

const VERSION = '0.1.0';

/** Facts about the machine the plugin would otherwise read from `process`; for tests. */
export interface AgentRunnerHost {
  /** Default `process.platform`. */
  platform?: NodeJS.Platform;
}

/**
 * Contributes the agent-runner container through the `containerSpec` hook:
 * environment, volumes, restart policy, host networking on Linux, log
 * rotation. API keys come from stigmer's environment and are marked secret.
 * Before the start it creates the workspace and artifacts folders, so the
 * engine does not create them as root.
 */
export function agentRunnerPlugin(host: AgentRunnerHost = {}): StigmerPlugin<AgentRunnerOptions> {
  const platform = host.platform ?? process.platform;
  return definePlugin<AgentRunnerOptions>({
    name: 'stigmer:agent-runner',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    apply(hooks, options) {
      // beforeStart knows the data folder; containerSpec, which runs next, needs it.
      let dataDir: string | undefined;
      hooks.beforeStart.tap(async (request) => {
        dataDir = request.dataDir;
        await Promise.all(
          ['workspace', 'artifacts'].map((name) =>
            mkdir(path.join(request.dataDir, name), { recursive: true }),
          ),
        );
      });
      hooks.containerSpec.tap((spec, ctx) => {
        if (dataDir === undefined) throw new Error('containerSpec ran before beforeStart: no data folder');
        const next = agentRunnerSpec(spec, { options, env: ctx.run.env, platform, dataDir });
        ctx.note(`agent-runner container ${next.name}, network ${next.networkMode ?? 'default'}`);
        return next;
      });
    },
  });
}
