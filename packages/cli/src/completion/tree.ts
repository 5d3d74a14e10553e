import type { Command, Option } from 'commander';
import { acceptsExplain, DIRECTORY_OPERAND, OPTION_VALUES } from '../program.js';
import { commandPath } from '../usage.js';

/** An option as a shell completes it. */
export interface CompletionOption {
  /** `-q`, `--quiet`. */
  short?: string | undefined;
  long?: string | undefined;
  description: string;
  takesValue: boolean;
  /** Fixed values, `file` (a path) or nothing to offer. */
  values: readonly string[] | 'file' | undefined;
}

/** One command of the tree, by its path (`''`, `image`, `image resolve`, `help image`). */
export interface CompletionNode {
  path: string;
  subcommands: { name: string; description: string }[];
  options: CompletionOption[];
  /** What its operand is: a folder, fixed words, or nothing. */
  operand: 'directory' | readonly string[] | undefined;
}

/** The whole tree, flattened: what every generated script is made from. */
export interface CompletionTree {
  nodes: CompletionNode[];
  /** Every option that takes a value, anywhere: the walker must skip its value. */
  valueFlags: string[];
}

/**
 * Walks commander's command tree. Global options (the program's) are offered
 * on every command where they apply (`--explain` only where the command
 * accepts it). `help` gets a mirror of the tree, so `stigmer help server l<TAB>`
 * completes like the commands themselves.
 */
export function completionTree(program: Command): CompletionTree {
  const globals = program.options.filter((o) => !o.hidden);
  const nodes: CompletionNode[] = [];
  const visit = (cmd: Command) => {
    const path = commandPath(cmd);
    const own = cmd === program ? [] : cmd.options.filter((o) => !o.hidden);
    const global = globals.filter(
      (o) => (o.long !== '--explain' || acceptsExplain(cmd)) && (cmd === program || o.long !== '--version'),
    );
    const argument = cmd.registeredArguments[0];
    nodes.push({
      path,
      subcommands: cmd.commands.map((c) => ({ name: c.name(), description: c.description() })),
      options: [...own, ...global].map(toOption).concat(helpOption()),
      operand: DIRECTORY_OPERAND.has(cmd)
        ? 'directory'
        : argument?.argChoices && argument.argChoices.length > 0
          ? argument.argChoices
          : undefined,
    });
    for (const sub of cmd.commands) if (sub.name() !== 'help') visit(sub);
  };
  visit(program);
  const mirror = (cmd: Command, path: string) => {
    const subs = cmd.commands.filter((c) => c.name() !== 'help');
    nodes.push({
      path,
      subcommands: subs.map((c) => ({ name: c.name(), description: c.description() })),
      options: [],
      operand: undefined,
    });
    for (const sub of subs) if (sub.commands.length > 0) mirror(sub, `${path} ${sub.name()}`);
  };
  mirror(program, 'help');
  const valueFlags = new Set<string>();
  for (const node of nodes) {
    for (const o of node.options) {
      if (!o.takesValue) continue;
      if (o.short) valueFlags.add(o.short);
      if (o.long) valueFlags.add(o.long);
    }
  }
  return { nodes, valueFlags: [...valueFlags].sort() };
}

function toOption(o: Option): CompletionOption {
  const takesValue = o.required || o.optional;
  const values = OPTION_VALUES.get(o) ?? o.argChoices ?? (o.long === '--config' ? 'file' : undefined);
  return { short: o.short, long: o.long, description: o.description, takesValue, values };
}

function helpOption(): CompletionOption {
  return {
    short: '-h',
    long: '--help',
    description: 'display help for command',
    takesValue: false,
    values: undefined,
  };
}

/** The flags of an option, short first. */
export function flagsOf(o: CompletionOption): string[] {
  return [o.short, o.long].filter((f): f is string => Boolean(f));
}
