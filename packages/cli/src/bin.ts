import { EXIT_USAGE } from './exit-codes.js';
import { buildProgram } from './program.js';

const program = buildProgram().exitOverride((error) => {
  // Help and --version exit 0; anything else commander rejects is a usage error.
  process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
});
await program.parseAsync(process.argv);
