import { PLUGIN_API_VERSION } from './api-version.js';
import type { StigmerPlugin } from './types.js';

/** A plugin as its author writes it: `definePlugin` adds the API version. */
export type PluginDefinition<Options> = Omit<StigmerPlugin<Options>, 'apiVersion'>;

/**
 * Declares a plugin with full type inference for its options and hooks.
 * Returns the plugin with `apiVersion` set to the plugin API of this core
 * (the one the plugin is built with), frozen so a shared instance cannot be altered.
 *
 * @example
 * export default definePlugin({
 *   name: 'example',
 *   version: '1.0.0',
 *   apply(hooks) {
 *     hooks.resolveImage.tap(async (request, ctx) => {
 *       ctx.note('nothing to offer');
 *       return undefined;
 *     });
 *   },
 * });
 */
export function definePlugin<Options = Record<string, unknown>>(
  plugin: PluginDefinition<Options>,
): StigmerPlugin<Options> {
  return Object.freeze({ ...plugin, apiVersion: PLUGIN_API_VERSION });
}
