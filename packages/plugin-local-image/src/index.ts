export type { LocalImageOptions } from './options.js';
export { localImagePlugin as default, localImagePlugin } from './plugin.js';
