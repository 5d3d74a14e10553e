export type { ChainEntry, ChainRun, RunChainOptions } from './run-chain.js';
export { runChain } from './run-chain.js';
