import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { GlobalOptions } from '../options.js';
import { buildProgram } from '../program.js';
import { fastCommandLine } from './command-line.js';

/** What commander, the CLI's parser of record, makes of a command line: the command and its options. */
async function commander(args: string[]): Promise<{ command: string; options: GlobalOptions } | undefined> {
  const program = buildProgram().exitOverride();
  let seen: { command: string; options: GlobalOptions } | undefined;
  const stop = new Error('stop before the action');
  program.hook('preAction', (_root, action: Command) => {
    const path: string[] = [];
    for (let c: Command | null = action; c?.parent; c = c.parent) path.unshift(c.name());
    seen = { command: path.join(' '), options: action.optsWithGlobals<GlobalOptions>() };
    throw stop;
  });
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(['node', 'stigmer', ...args]);
  } catch (error) {
    if (error !== stop) return undefined;
  }
  return seen;
}

const SERVED = [
  ['image', 'resolve'],
  ['image', 'resolve', '--json'],
  ['--json', 'image', 'resolve'],
  ['image', 'resolve', '--explain', '--debug'],
  ['-q', 'image', 'resolve', '--offline'],
  ['image', 'resolve', '--quiet', '--json', '--json'],
  ['image', 'resolve', '--config', 'x.yaml'],
  ['--config=dir/x.json', 'image', 'resolve'],
  ['--config', 'a.yml', 'image', 'resolve', '--config', 'b.yml'],
];
const DECLINED = [
  [],
  ['image'],
  ['image', 'pull'],
  ['server', 'start'],
  ['image', 'resolve', 'extra'],
  ['image', 'resolve', '--platform', 'linux/arm64'],
  ['image', 'resolve', '--pull', 'never'],
  ['image', 'resolve', '--build'],
  ['image', 'resolve', '--help'],
  ['image', 'resolve', '--bogus'],
  ['image', 'resolve', '--config'],
  ['image', 'resolve', '--config', '--json'],
  ['image', '--json', 'resolve'],
  ['--version'],
  ['image', 'resolve', '--', '--json'],
];

describe('fastCommandLine', () => {
  it.each(SERVED)('serves %j with the options commander gives it', async (...args) => {
    const ours = fastCommandLine(args);
    expect(ours).toBeDefined();
    expect(await commander(args)).toEqual({ command: 'image resolve', options: ours });
  });

  it.each(DECLINED)('leaves %j to commander', (...args) => {
    expect(fastCommandLine(args)).toBeUndefined();
  });
});
