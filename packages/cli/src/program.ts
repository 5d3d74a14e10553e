import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from './boundary.js';
import { EXIT_USAGE } from './exit-codes.js';
import type { GlobalOptions } from './options.js';
import { VERSION } from './version.js';

type Body = (ctx: CommandContext, options: GlobalOptions) => Promise<void>;

/**
 * A commander action that loads the error boundary and the command's body
 * only when the command runs, keeping both off the path of `--help`,
 * `--version` and every other command.
 */
function lazyAction(load: () => Promise<Body>) {
  return async (options: GlobalOptions) => {
    const [{ runCommand }, body] = await Promise.all([import('./boundary.js'), load()]);
    await runCommand(options, (ctx) => body(ctx, options));
  };
}

/**
 * The command tree. Command bodies are imported when their command runs, so
 * `stigmer --help` and every command load only what they use.
 */
export function buildProgram(): Command {
  const program = new Command('stigmer')
    .description('Stigmer: resolve the agent-runner image and run it.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError()
    .configureHelp({ sortSubcommands: true })
    // Set before subcommands are added so they inherit it: help and --version
    // exit 0; anything else commander rejects is a usage error.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE));

  const common = (cmd: Command) =>
    cmd
      .option('-c, --config <path>', 'use this config file instead of searching for .stigmerrc')
      .option('--json', 'print one JSON document on stdout')
      .option('--debug', 'add stack traces to errors')
      .option('-q, --quiet', 'print only results and errors')
      .addOption(
        new Option('--platform <os/arch>', "platform to resolve, e.g. linux/arm64 (default: the engine's)"),
      )
      .option('--offline', 'touch no network: use the local engine or an archive folder only')
      .option('--build', 'build the image from its sources when they changed (the rebuild plugin)')
      .option(
        '--pull <policy>',
        'pull policy: missing (default), always, never, newer, or an interval like 24h',
      );

  const image = program.command('image').description('find, pull and inspect the agent-runner image');
  const resolveLike = (name: string, purpose: 'resolve' | 'pull', description: string) =>
    common(image.command(name).description(description))
      .option('--explain', 'show every decision: plugin, hook, outcome, reason, time')
      .action(
        lazyAction(async () => {
          const { imageResolve } = await import('./commands/image-resolve.js');
          return (ctx, opts) => imageResolve(ctx, opts, purpose);
        }),
      );
  resolveLike('resolve', 'resolve', 'resolve the image through the plugin chain (local, then registry, ...)');
  resolveLike('pull', 'pull', 'pull the image through the registry plugins even when a local one exists');

  // export/import take a folder argument, so their action receives it before the options.
  const archiveCommand = (
    name: 'export' | 'import',
    description: string,
    load: () => Promise<(ctx: CommandContext, options: GlobalOptions, dir: string) => Promise<void>>,
  ) =>
    common(image.command(`${name} <dir>`).description(description)).action(
      async (dir: string, options: GlobalOptions) => {
        const [{ runCommand }, body] = await Promise.all([import('./boundary.js'), load()]);
        await runCommand(options, (ctx) => body(ctx, options, dir));
      },
    );
  archiveCommand(
    'export',
    'resolve the image and write it to <dir> as docker save archives with a manifest, for offline machines',
    async () => (await import('./commands/image-export.js')).imageExport,
  );
  archiveCommand(
    'import',
    'load the images of an archive folder written by `image export`, checked against its manifest',
    async () => (await import('./commands/image-import.js')).imageImport,
  );

  const config = program.command('config').description('inspect the effective configuration');
  common(config.command('print').description('print every setting with the source of its value')).action(
    lazyAction(async () => (await import('./commands/config.js')).configPrint),
  );
  common(
    config.command('validate').description("validate the config file and every plugin's options"),
  ).action(lazyAction(async () => (await import('./commands/config.js')).configValidate));

  const plugins = program.command('plugins').description('inspect the plugin chain');
  common(
    plugins
      .command('list')
      .description('each plugin: its version, where it was loaded from, the hooks it taps'),
  ).action(lazyAction(async () => (await import('./commands/plugins.js')).pluginsList));

  const server = program.command('server').description('run the agent-runner container');
  const startLike = (name: string, mode: 'start' | 'restart', description: string) => {
    const cmd = common(server.command(name).description(description)).option(
      '--explain',
      'show every decision: plugin, hook, outcome, reason, time',
    );
    if (mode === 'start')
      cmd.option('--restart', 'replace a running container whose image or config differs');
    return cmd.action(
      lazyAction(async () => {
        const { serverStart } = await import('./commands/server-start.js');
        return (ctx, opts) => serverStart(ctx, opts, mode);
      }),
    );
  };
  startLike('start', 'start', 'resolve the image and start the agent-runner (already running: say so)');
  startLike('restart', 'restart', 'stop the agent-runner and start it again');
  common(server.command('stop').description('stop and remove the agent-runner (graceful, then kill)')).action(
    lazyAction(async () => (await import('./commands/server-stop.js')).serverStop),
  );
  common(
    server
      .command('status')
      .description('state, health, image, digest, uptime and restarts of the agent-runner'),
  ).action(lazyAction(async () => (await import('./commands/server-status.js')).serverStatus));
  common(server.command('logs').description("the agent-runner's output"))
    .option('-f, --follow', 'keep printing new output until interrupted')
    .addOption(
      new Option('-n, --tail <lines>', 'lines from the end (all: every line)')
        .default('50')
        .argParser(tailLines),
    )
    .addOption(
      new Option('--component <name>', 'which component').choices(['agent-runner']).default('agent-runner'),
    )
    .action(lazyAction(async () => (await import('./commands/server-logs.js')).serverLogs));
  return program;
}

/** `-n` takes a count or `all`. */
function tailLines(value: string): string {
  if (value !== 'all' && !/^\d+$/.test(value)) {
    throw new InvalidArgumentError('expected a number of lines or "all"');
  }
  return value;
}
