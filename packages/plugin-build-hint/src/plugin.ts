import { definePlugin, type StigmerPlugin } from '@stigmer/core';
import { buildHintMessage } from './message.js';
import type { BuildHintOptions } from './options.js';

const VERSION = '0.1.0';

/**
 * When no plugin resolved the image, explains how to build it: the original
 * CLI's message with the registry reference that was tried and its error.
 */
export function buildHintPlugin(): StigmerPlugin<BuildHintOptions> {
  return definePlugin<BuildHintOptions>({
    name: 'stigmer:build-hint',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    apply(hooks, options) {
      hooks.unresolved.tap((report, ctx) => {
        ctx.note('explained how to build the image');
        return buildHintMessage(report, options);
      });
    },
  });
}
