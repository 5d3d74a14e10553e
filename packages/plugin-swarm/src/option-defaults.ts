// Generated from options.ts by scripts/generated.mjs (npm run generate): do not edit.
import type { SwarmOptions } from './options.js';

/**
 * What the options schema makes of no options (its defaults): the options
 * the plugin gets when the config gives none, without loading the validator.
 */
export const DEFAULT_OPTIONS: SwarmOptions = Object.freeze<SwarmOptions>({"replicas":1,"constraints":[],"update":{"parallelism":1,"order":"start-first","delayMs":0,"monitorMs":5000},"repository":"stigmer/agent-runner"});
