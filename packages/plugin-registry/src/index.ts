export type { MirrorRule, RegistryOptions } from './options.js';
export { registryPlugin as default, registryPlugin } from './plugin.js';
