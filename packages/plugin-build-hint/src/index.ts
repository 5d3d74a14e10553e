export type { BuildHintOptions, BuildHintOptionsInput } from './options.js';
export { buildHintPlugin as default, buildHintPlugin } from './plugin.js';
