export type { GhcrOptions, GhcrOptionsInput } from './options.js';
export { ghcrPlugin as default, ghcrPlugin } from './plugin.js';
export { defaultTag, registryReference } from './reference.js';
