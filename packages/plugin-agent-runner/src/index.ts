export type { AgentRunnerOptions, AgentRunnerOptionsInput } from './options.js';
export type { AgentRunnerHost } from './plugin.js';
export { agentRunnerPlugin as default, agentRunnerPlugin } from './plugin.js';
