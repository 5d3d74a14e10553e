import { exitWhenDone, guardProcess } from './process-guards.js';
import { buildProgram } from './program.js';
import { normaliseArgv } from './usage.js';

guardProcess();
await buildProgram().parseAsync(normaliseArgv(process.argv));
await exitWhenDone();
