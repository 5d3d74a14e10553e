import type { StigmerPlugin } from './types.js';

/**
 * Declares a plugin with full type inference for its options and hooks.
 * Returns the plugin unchanged, frozen so a shared instance cannot be altered.
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
  plugin: StigmerPlugin<Options>,
): StigmerPlugin<Options> {
  return Object.freeze(plugin);
}
