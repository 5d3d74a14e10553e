import { buildProgram } from './program.js';
import { normaliseArgv } from './usage.js';

await buildProgram().parseAsync(normaliseArgv(process.argv));
