// Runs every benchmark in bench/. Each compares against a baseline in the same run.
await import('./startup.mjs');
await import('./pull.mjs');
await import('./unreachable.mjs');
await import('./stall-failover.mjs');
