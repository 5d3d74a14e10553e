export type { LocalImageOptions, LocalImageOptionsInput } from './options.js';
export { localImagePlugin as default, localImagePlugin } from './plugin.js';
