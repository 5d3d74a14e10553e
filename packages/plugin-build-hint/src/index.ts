export { buildHintPlugin as default, buildHintPlugin } from './plugin.js';
export type { BuildHintOptions } from './options.js';
