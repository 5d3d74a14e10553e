export type { SwarmOptions, SwarmOptionsInput } from './options.js';
export { swarmPlugin as default, swarmPlugin } from './plugin.js';
