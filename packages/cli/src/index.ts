export { BUILTIN_PLUGINS, DEFAULT_PLUGINS } from './builtins.js';
export { EXIT_CODES } from './exit-codes.js';
export { buildProgram } from './program.js';
export { VERSION } from './version.js';
