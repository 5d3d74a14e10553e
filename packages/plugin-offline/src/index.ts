export type { OfflineOptions, OfflineOptionsInput } from './options.js';
export { offlinePlugin as default, offlinePlugin } from './plugin.js';
