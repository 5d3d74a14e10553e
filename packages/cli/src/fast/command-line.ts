import type { GlobalOptions } from '../options.js';

/** The boolean flags the fast path takes, and the option each sets (as commander would). */
const FLAGS: Readonly<Record<string, keyof GlobalOptions>> = {
  '--json': 'json',
  '--explain': 'explain',
  '--debug': 'debug',
  '--quiet': 'quiet',
  '-q': 'quiet',
  '--offline': 'offline',
};

/**
 * The options of a command line the fast path serves, or undefined for any
 * other: `stigmer [flags] image resolve [flags]` with only the flags above
 * and `--config PATH` (`--config=PATH`). Everything else (another command,
 * a flag with a value that needs checking, `--help`, an unknown or
 * misplaced word) goes to commander, which has the one parser of record;
 * the equivalence test runs both over a table of command lines.
 */
export function fastCommandLine(args: readonly string[]): GlobalOptions | undefined {
  const options: GlobalOptions = {};
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const flag = FLAGS[arg];
    if (flag) {
      // Flags go before `image` or after `resolve`, where commander takes them as the program's.
      if (words.length === 1) return undefined;
      (options as Record<string, unknown>)[flag] = true;
    } else if (arg === '--config' || arg.startsWith('--config=')) {
      const value = arg === '--config' ? args[++i] : arg.slice('--config='.length);
      if (words.length === 1 || !value || value.startsWith('-')) return undefined;
      options.config = value;
    } else {
      words.push(arg);
    }
  }
  return words.length === 2 && words[0] === 'image' && words[1] === 'resolve' ? options : undefined;
}
