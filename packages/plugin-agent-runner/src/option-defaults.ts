// Generated from options.ts by scripts/generated.mjs (npm run generate): do not edit.
import type { AgentRunnerOptions } from './options.js';

/**
 * What the options schema makes of no options (its defaults): the options
 * the plugin gets when the config gives none, without loading the validator.
 */
export const DEFAULT_OPTIONS: AgentRunnerOptions = Object.freeze<AgentRunnerOptions>({"backendEndpoint":"localhost:7234","temporalAddress":"localhost:7233","temporalNamespace":"default","taskQueue":"agent_execution_runner","logLevel":"DEBUG","env":{},"secretEnv":[],"hostGateway":false});
