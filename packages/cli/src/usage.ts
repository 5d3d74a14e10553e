import type { Command, CommanderError } from 'commander';
import { EXIT_USAGE } from './exit-codes.js';

/** The error code of a command-line usage error in `--json` output (exit 2). */
export const USAGE_CODE = 'USAGE';

/** `image resolve` for a command, `''` for the program. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The arguments before `--`, where options can be. */
function optionArgs(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  return end === -1 ? args : args.slice(0, end);
}

/**
 * True when the command line asks for JSON. Read from the raw arguments:
 * a usage error happens before commander has parsed the options.
 */
export function wantsJson(argv: readonly string[]): boolean {
  return optionArgs(argv).includes('--json');
}

const VERSION_FLAGS = new Set(['-v', '--version', '-V']);

/**
 * `stigmer -v --json` means `stigmer version --json`: the version flag alone
 * answers at once in text, but a JSON document is the version command's.
 */
export function normaliseArgv(argv: readonly string[]): string[] {
  const args = optionArgs(argv);
  if (!wantsJson(argv) || !args.some((a) => VERSION_FLAGS.has(a))) return [...argv];
  const config = args.indexOf('--config');
  const configArgs = config >= 0 && args[config + 1] ? ['--config', args[config + 1] as string] : [];
  return [...argv.slice(0, 2), 'version', '--json', ...configArgs];
}

/** The command a usage error came from, and its `--json` document. */
export const usageError = {
  command: undefined as Command | undefined,

  /** Prints the usage error as the one JSON document of the run. */
  printJson(error: CommanderError): void {
    const cmd = this.command;
    const path = cmd ? commandPath(cmd) : '';
    const name = `stigmer${path ? ` ${path}` : ''}`;
    const message =
      error.code === 'commander.help'
        ? `'${name}' needs a command: ${cmd?.commands.map((c) => c.name()).join(', ')}.`
        : error.message.replace(/^error: /, '');
    const doc = {
      ok: false,
      error: {
        code: USAGE_CODE,
        message,
        exitCode: EXIT_USAGE,
        details: { reason: error.code, command: name, help: `${name} --help` },
      },
      warnings: [],
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  },
};
