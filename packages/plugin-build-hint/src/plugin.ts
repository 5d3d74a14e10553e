import { definePlugin, type StigmerPlugin } from '@stigmer/core';
import { buildHintMessage } from './message.js';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import type { BuildHintOptions } from './options.js';
import { VERSION } from './package-version.js';

/**
 * When no plugin resolved the image, explains how to get it: after a pull
 * (failed with any error, or passed on), the original CLI's message with the
 * registry reference that was tried and its real error; when no registry was
 * asked (offline, pull policy `never`), why not. Both name the configured
 * local tag, lead with `--build` when the rebuild plugin is loaded, and show
 * `stigmer image export|import` as the way to bring the image over.
 */
export function buildHintPlugin(): StigmerPlugin<BuildHintOptions> {
  return definePlugin<BuildHintOptions>({
    name: 'stigmer:build-hint',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    defaultOptions: DEFAULT_OPTIONS,
    apply(hooks, options) {
      hooks.unresolved.tap((report, ctx) => {
        ctx.note('explained how to build the image');
        return buildHintMessage(report, options, ctx.run);
      });
    },
  });
}
