export { localImagePlugin as default, localImagePlugin } from './plugin.js';
export type { LocalImageOptions } from './options.js';
