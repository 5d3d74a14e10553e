export type { OfflineOptions } from './options.js';
export { offlinePlugin as default, offlinePlugin } from './plugin.js';
