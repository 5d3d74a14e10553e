import { Command, Help, type HelpContext, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from './boundary.js';
import type { ServerManifestOptions } from './commands/server-manifest.js';
import { EXIT_USAGE } from './exit-codes.js';
import { helpAfter } from './help-text.js';
import type { GlobalOptions } from './options.js';
import { commandPath, usageError, wantsJson } from './usage.js';
import { VERSION } from './version.js';

/** A command body: what runs once the boundary is in place. */
export type Body = (ctx: CommandContext, options: GlobalOptions, ...args: string[]) => Promise<void>;

/** Values a shell may offer for an option whose values are fixed, for `stigmer completion`. */
export const OPTION_VALUES = new WeakMap<Option, readonly string[]>();
/** Commands whose operand is a folder, for `stigmer completion`. */
export const DIRECTORY_OPERAND = new WeakSet<Command>();
/** The commands that take `--explain`: they run the plugin chain. */
const EXPLAINS = new WeakSet<Command>();

/** True for the commands that take `--explain`. */
export function acceptsExplain(cmd: Command): boolean {
  return EXPLAINS.has(cmd);
}

/** Pull policies the shell can offer; intervals such as `24h` are accepted too. */
export const PULL_POLICIES = ['missing', 'always', 'never', 'newer'] as const;
/** Formats `server manifest` renders out of the box; plugins may add others. */
export const MANIFEST_FORMATS = ['kubernetes'] as const;
/** `stigmer completion <shell>`. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/**
 * A commander Command that remembers which command a usage error or a
 * missing subcommand came from, so the message can name its `--help`.
 */
class StigmerCommand extends Command {
  override createCommand(name?: string): Command {
    // `stigmer help ...` serves every level; no `help` subcommand below the program.
    return new StigmerCommand(name).helpCommand(false);
  }

  override error(message: string, options?: { code?: string; exitCode?: number }): never {
    usageError.command = this;
    return super.error(message, options);
  }

  override help(context?: HelpContext): never;
  override help(cb?: (str: string) => string): never;
  override help(arg?: HelpContext | ((str: string) => string)): never {
    if (typeof arg === 'object' && arg.error) usageError.command = this;
    return super.help(arg as HelpContext);
  }
}

/**
 * A commander action that loads the error boundary and the command's body
 * only when the command runs, keeping both off the path of `--help`,
 * `--version` and every other command. Operands come first, as commander
 * passes them; the options are every option in force, global ones included.
 */
function lazyAction(load: () => Promise<Body>) {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const operands = args.slice(0, -2) as string[];
    const options = command.optsWithGlobals<GlobalOptions>();
    const [{ runCommand }, body] = await Promise.all([import('./boundary.js'), load()]);
    await runCommand(options, (ctx) => body(ctx, options, ...operands));
  };
}

/** Adds `--platform`, `--pull`, `--offline` and `--build`: the options of commands that resolve the image. */
function resolveOptions(cmd: Command): Command {
  const pull = new Option(
    '--pull <policy>',
    'pull policy: missing (default), always, never, newer, or an interval like 24h',
  );
  OPTION_VALUES.set(pull, PULL_POLICIES);
  return cmd
    .addOption(platformOption())
    .addOption(pull)
    .option('--offline', 'touch no network: use the local engine or an archive folder only')
    .option('--build', 'build the image from its sources when they changed (the rebuild plugin)');
}

function platformOption(): Option {
  return new Option('--platform <os/arch>', "platform to resolve, e.g. linux/arm64 (default: the engine's)");
}

/** A command with its one-line description and its help's examples and environment. */
function leaf(parent: Command, nameAndArgs: string, description: string, load: () => Promise<Body>): Command {
  const cmd = parent.command(nameAndArgs).description(description).action(lazyAction(load));
  return cmd.addHelpText('after', helpAfter(commandPath(cmd)));
}

function explains(cmd: Command): Command {
  EXPLAINS.add(cmd);
  return cmd;
}

/**
 * The command tree. Global options (`--json`, `--config`, `--debug`,
 * `--quiet`, `--explain`) belong to the program, so they are accepted before
 * or after the subcommand; options that only some commands use are theirs.
 * Command bodies are imported when their command runs.
 */
export function buildProgram(): Command {
  const program = new StigmerCommand('stigmer')
    .description('Stigmer: resolve the agent-runner image and run it.')
    .usage('[options] <command> [command options]')
    .option('--json', 'print one JSON document on stdout, errors included')
    .option('--config <path>', 'load this config file and search for none')
    .option('--debug', 'add stack traces to errors')
    .option('-q, --quiet', 'print only results and errors')
    .option(
      '--explain',
      'show every decision: engine, config, plugin, hook, outcome, reason (commands that run the chain)',
    )
    .option('-v, --version', 'print the version (`stigmer version` says more)')
    .addOption(new Option('-V').hideHelp())
    .helpCommand(false)
    .showSuggestionAfterError()
    .configureHelp({
      sortSubcommands: true,
      showGlobalOptions: true,
      visibleGlobalOptions(this: Help, cmd: Command) {
        return Help.prototype.visibleGlobalOptions
          .call(this, cmd)
          .filter((o) => o.long !== '--version' && (o.long !== '--explain' || EXPLAINS.has(cmd)));
      },
    })
    .configureOutput({
      // Usage errors: JSON on stdout with --json, else commander's line and where to read more.
      outputError: (text, write) => {
        if (wantsJson(process.argv)) return;
        write(text);
        const cmd = usageError.command;
        write(`Run 'stigmer ${cmd ? `${commandPath(cmd)} ` : ''}--help' for usage.\n`.replace('  ', ' '));
      },
    })
    // Set before subcommands are added so they inherit it: help and --version
    // exit 0; anything else commander rejects is a usage error (exit 2).
    .exitOverride((error) => {
      if (error.exitCode === 0) process.exit(0);
      if (wantsJson(process.argv)) usageError.printJson(error);
      process.exit(EXIT_USAGE);
    });
  program.on('option:version', () => versionFlag());
  program.on('option:V', () => versionFlag());
  program.hook('preAction', (_root, action) => {
    if (action.optsWithGlobals<GlobalOptions>().explain && !EXPLAINS.has(action)) {
      action.error(
        `error: --explain does not apply to 'stigmer ${commandPath(action)}': it runs no plugin chain.`,
        { code: 'stigmer.explainNotApplicable', exitCode: EXIT_USAGE },
      );
    }
  });
  program.addHelpText('after', helpAfter(''));

  const image = program.command('image').description('find, pull, export and import the agent-runner image');
  explains(
    resolveOptions(
      leaf(
        image,
        'resolve',
        'resolve the image through the plugin chain and print the one that would run',
        async () => {
          const { imageResolve } = await import('./commands/image-resolve.js');
          return (ctx, opts) => imageResolve(ctx, opts, 'resolve');
        },
      ),
    ),
  );
  explains(
    resolveOptions(
      leaf(
        image,
        'pull',
        'pull the image through the registry plugins even when a local one exists',
        async () => {
          const { imageResolve } = await import('./commands/image-resolve.js');
          return (ctx, opts) => imageResolve(ctx, opts, 'pull');
        },
      ),
    ),
  );
  const exportCmd = explains(
    resolveOptions(
      leaf(
        image,
        'export <dir>',
        'resolve the image and write it to <dir> as docker save archives with a manifest',
        async () => (await import('./commands/image-export.js')).imageExport,
      ),
    ),
  );
  const importCmd = leaf(
    image,
    'import <dir>',
    'load an archive folder written by `image export`, checked against its manifest',
    async () => (await import('./commands/image-import.js')).imageImport,
  ).addOption(platformOption());
  DIRECTORY_OPERAND.add(exportCmd);
  DIRECTORY_OPERAND.add(importCmd);

  const config = program.command('config').description('inspect and check the effective configuration');
  leaf(
    config,
    'print',
    'print every setting with its value in use and where it came from',
    async () => (await import('./commands/config.js')).configPrint,
  );
  leaf(
    config,
    'validate',
    'check the config file, the environment and every plugin, reporting every problem at once',
    async () => (await import('./commands/config-validate.js')).configValidate,
  );

  const plugins = program.command('plugins').description('inspect the plugin chain');
  leaf(
    plugins,
    'list',
    'list each plugin: its version, where it was loaded from, the hooks it taps',
    async () => (await import('./commands/plugins.js')).pluginsList,
  );

  const server = program.command('server').description('run, stop and inspect the agent-runner container');
  const startLike = (name: string, mode: 'start' | 'restart', description: string) =>
    explains(
      resolveOptions(
        leaf(server, name, description, async () => {
          const { serverStart } = await import('./commands/server-start.js');
          return (ctx, opts) => serverStart(ctx, opts, mode);
        }),
      ),
    );
  startLike(
    'start',
    'start',
    'resolve the image and start the agent-runner (already running: say so)',
  ).option('--restart', 'replace a running container whose image or config differs');
  startLike('restart', 'restart', 'stop the agent-runner and start it again');
  explains(
    leaf(
      server,
      'stop',
      'stop the agent-runner (graceful, then kill) and remove it',
      async () => (await import('./commands/server-stop.js')).serverStop,
    ),
  );
  const manifest = explains(
    resolveOptions(
      leaf(
        server,
        'manifest',
        'render the agent-runner for another runtime (a Kubernetes Deployment and Secret), checked, not applied',
        async () => {
          const { serverManifest } = await import('./commands/server-manifest.js');
          return (ctx, opts) => serverManifest(ctx, opts as ServerManifestOptions);
        },
      ),
    ),
  );
  const format = new Option(
    '--format <format>',
    'what to render: kubernetes (a plugin may add others)',
  ).makeOptionMandatory();
  OPTION_VALUES.set(format, MANIFEST_FORMATS);
  const manifestOutput = new Option('-o, --output <output>', 'how to print it')
    .choices(['yaml', 'json'])
    .default('yaml');
  OPTION_VALUES.set(manifestOutput, ['yaml', 'json']);
  manifest
    .addOption(format)
    .addOption(manifestOutput)
    .addOption(
      new Option(
        '--replicas <count>',
        "how many to run (default: the swarm plugin's replicas option when configured, else 1)",
      ).argParser(replicaCount),
    )
    .option(
      '--image <reference>',
      "the image the cluster pulls, best by digest (default: the resolved image's registry digest)",
    )
    .option(
      '--include-secrets',
      'put the API keys in the output (a Secret); without it, only a reference to one',
    );
  leaf(
    server,
    'status',
    'show state, health, image, digest, uptime and restarts of the agent-runner',
    async () => (await import('./commands/server-status.js')).serverStatus,
  );
  // The original CLI's components: only the agent-runner is run by this one (the others exit 2, saying so).
  const component = new Option(
    '-c, --component <name>',
    'which component (stigmer-server and workflow-runner are not run by this CLI)',
  )
    .choices(['agent-runner', 'stigmer-server', 'workflow-runner'])
    .default('agent-runner');
  OPTION_VALUES.set(component, ['agent-runner']);
  leaf(
    server,
    'logs',
    "print the agent-runner's output, followed until Ctrl-C (--no-follow: print it and exit), secrets masked",
    async () => (await import('./commands/server-logs.js')).serverLogs,
  )
    .option('-f, --follow', 'keep printing new output until interrupted (the default)', true)
    .option('--no-follow', 'print the output so far and exit')
    .addOption(
      new Option('-n, --tail <lines>', 'lines from the end (all: every line)')
        .default('50')
        .argParser(tailLines),
    )
    .addOption(component);

  leaf(
    program,
    'version',
    'print the CLI version, the image tag it pulls, Node and the engine version',
    async () => (await import('./commands/version.js')).version,
  );
  const completion = leaf(
    program,
    'completion <shell>',
    'print a shell completion script for bash, zsh or fish',
    async () => (await import('./commands/completion.js')).completion,
  );
  completion.registeredArguments[0]?.choices(SHELLS);

  program
    .command('help [command...]')
    .description('show the help of a command, e.g. `stigmer help server logs`')
    .action((words: string[]) => showHelp(program, words));
  return program;
}

/** `stigmer help server logs`: the help of `server logs`, as `stigmer server logs --help` prints it. */
function showHelp(program: Command, words: readonly string[]): void {
  let cmd: Command = program;
  for (const word of words) {
    const sub = cmd.commands.find((c) => c.name() === word);
    if (!sub) {
      cmd.error(`error: unknown command '${[commandPath(cmd), word].filter(Boolean).join(' ')}'`, {
        code: 'commander.unknownCommand',
        exitCode: EXIT_USAGE,
      });
    }
    cmd = sub;
  }
  cmd.outputHelp();
}

/**
 * `-v`/`--version` (and `-V`, commander's old spelling): the bare version,
 * at once, with nothing else loaded. With `--json` the arguments were turned
 * into `version --json` before parsing (`normaliseArgv`).
 */
function versionFlag(): void {
  process.stdout.write(`${VERSION}\n`);
  process.exit(0);
}

/** `--replicas` takes a whole number, 0 included (a Deployment scaled to zero). */
function replicaCount(value: string): number {
  if (!/^\d{1,6}$/.test(value))
    throw new InvalidArgumentError('expected a whole number of replicas, such as 3');
  return Number(value);
}

/** `-n` takes a count or `all`. */
function tailLines(value: string): string {
  if (value !== 'all' && !/^\d+$/.test(value)) {
    throw new InvalidArgumentError('expected a number of lines or "all"');
  }
  return value;
}
