export type { KubernetesOptions, KubernetesOptionsInput } from './options.js';
export { kubernetesPlugin as default, kubernetesPlugin } from './plugin.js';
