export { ghcrPlugin as default, ghcrPlugin } from './plugin.js';
export type { GhcrOptions } from './options.js';
