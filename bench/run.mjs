// Runs every benchmark in bench/. Each compares against a baseline in the same
// run, on Node.js 22 and 24 (scripts/node-lines.mjs), each with
// NODE_EXTRA_CA_CERTS unset (a user's machine) and set (CI's environment).
// STIGMER_BENCH_NODE=24 and STIGMER_BENCH_CA=unset narrow that; each file
// says which STIGMER_BENCH_* variables set its number of runs.
import { variants } from './lib.mjs';

console.log(
  `stigmer benchmarks on ${variants()
    .map((v) => `Node ${v.version} CA ${v.ca}`)
    .join(', ')}`,
);
await import('./startup.mjs');
await import('./server-start.mjs');
await import('./pull.mjs');
await import('./unreachable.mjs');
await import('./stall-failover.mjs');
// Starts a three-node swarm of its own (root needed, as for the engine).
await import('./swarm.mjs');
