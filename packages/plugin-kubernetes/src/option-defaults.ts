// Generated from options.ts by scripts/generated.mjs (npm run generate): do not edit.
import type { KubernetesOptions } from './options.js';

/**
 * What the options schema makes of no options (its defaults): the options
 * the plugin gets when the config gives none, without loading the validator.
 */
export const DEFAULT_OPTIONS: KubernetesOptions = Object.freeze<KubernetesOptions>({});
