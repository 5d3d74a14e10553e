export type { ImageChecksOptions, ImageChecksOptionsInput, VersionPolicy } from './options.js';
export { imageChecksPlugin as default, imageChecksPlugin } from './plugin.js';
