export type { BuildHintOptions } from './options.js';
export { buildHintPlugin as default, buildHintPlugin } from './plugin.js';
