export type { RebuildOptions, RebuildOptionsInput } from './options.js';
export { rebuildPlugin as default, rebuildPlugin } from './plugin.js';
