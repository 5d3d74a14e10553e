// Generated from options.ts by scripts/generated.mjs (npm run generate): do not edit.
import type { RegistryOptions } from './options.js';

/**
 * What the options schema makes of no options (its defaults): the options
 * the plugin gets when the config gives none, without loading the validator.
 */
export const DEFAULT_OPTIONS: RegistryOptions = Object.freeze<RegistryOptions>({"image":"ghcr.io/stigmer/agent-runner","mirrors":[],"origin":true,"coolDown":600000});
