export type { RebuildOptions } from './options.js';
export { rebuildPlugin as default, rebuildPlugin } from './plugin.js';
