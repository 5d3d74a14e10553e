import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { harness, harnessDocker } from '../harness/context.js';
import { removeImages } from '../harness/images.js';
import { localTag, made, publishFreshImage, stigmerrc, useFaultProxy } from '../pull/helpers.js';
import { cleanupFixtures, removeServerImage, runStigmer, serverFixture } from '../server/helpers.js';
import { documentOf, failure, schemas } from './json-schemas.js';
import { type CliResult, projectDir, stigmer } from './run.js';

/**
 * The CLI's conventions, each proven by running the built CLI as a user
 * would: flags anywhere, flags only where they apply, one JSON document of
 * one shape for every command and every usage error, help with examples,
 * `help <path>`, the version, shell completion in real shells, plain
 * progress lines in CI, and the messages the issue listed as slips.
 */

const run = promisify(execFile);
const proxy = useFaultProxy();
afterEach(cleanupFixtures);
afterAll(removeServerImage);

/** A project whose local tag is the harness's test image: `image resolve` answers locally, nothing is pulled. */
async function localProject(): Promise<{ cwd: string; tag: string }> {
  const tag = localTag();
  made.push(tag);
  const { repository, tag: t } = harness().testImage;
  const [repo, name] = tag.split(':') as [string, string];
  await harnessDocker().getImage(`${repository}:${t}`).tag({ repo, tag: name });
  const cwd = await projectDir({ '.stigmerrc': stigmerrc(tag, { registry: '127.0.0.1:9', tag: 'none' }) });
  return { cwd, tag };
}

/** The durations differ from run to run; everything else must not. */
const withoutTimes = (doc: Record<string, unknown>) =>
  JSON.parse(JSON.stringify(doc, (key, value) => (key === 'durationMs' ? 0 : value)));

function expectUsageError(r: CliResult, message: RegExp) {
  expect(r.exitCode).toBe(2);
  const doc = documentOf(failure, r.stdout);
  expect(doc.error).toMatchObject({ code: 'USAGE', exitCode: 2 });
  expect(doc.error.message).toMatch(message);
  expect(r.stderr).not.toMatch(/^error:/m);
}

const LEAVES = [
  'image resolve',
  'image pull',
  'image export',
  'image import',
  'config print',
  'config validate',
  'plugins list',
  'server start',
  'server restart',
  'server stop',
  'server status',
  'server logs',
  'version',
  'completion',
];
const RESOLVING = new Set(['image resolve', 'image pull', 'image export', 'server start', 'server restart']);

describe('global flags anywhere', () => {
  it('`stigmer --json image resolve` is `stigmer image resolve --json`, and so for --config and -q', async () => {
    const { cwd } = await localProject();
    const before = await stigmer(['--json', '-q', 'image', 'resolve'], { cwd });
    const after = await stigmer(['image', 'resolve', '--json', '-q'], { cwd });
    const middle = await stigmer(['image', '--json', 'resolve'], { cwd });
    for (const r of [before, after, middle]) expect(r.exitCode).toBe(0);
    const doc = documentOf(schemas['image resolve'], before.stdout);
    expect(withoutTimes(documentOf(schemas['image resolve'], after.stdout))).toEqual(withoutTimes(doc));
    expect(withoutTimes(documentOf(schemas['image resolve'], middle.stdout))).toEqual(withoutTimes(doc));

    const elsewhere = await projectDir();
    const config = path.join(cwd, '.stigmerrc');
    const a = await stigmer(['--config', config, 'config', 'print', '--json'], { cwd: elsewhere });
    const b = await stigmer(['config', 'print', '--config', config, '--json'], { cwd: elsewhere });
    expect(documentOf(schemas['config print'], a.stdout).configFile).toBe(config);
    expect(documentOf(schemas['config print'], b.stdout).configFile).toBe(config);
  });

  it('--explain before the command works where it applies and is a usage error where it does not', async () => {
    const { cwd, tag } = await localProject();
    const r = await stigmer(['--explain', 'image', 'resolve'], { cwd });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`${tag} (`);
    expect(r.stdout).toMatch(/^Engine: unix:\/\/\S+ \(DOCKER_HOST\)$/m);
    const status = await stigmer(['--explain', 'server', 'status'], { cwd });
    expect(status.exitCode).toBe(2);
    expect(status.stderr).toBe(
      "error: --explain does not apply to 'stigmer server status': it runs no plugin chain.\nRun 'stigmer server status --help' for usage.\n",
    );
  });

  it('top-level help lists every global flag; --config has no -c (server logs -c is a component)', async () => {
    const cwd = await projectDir();
    const r = await stigmer(['--help'], { cwd });
    expect(r.exitCode).toBe(0);
    for (const flag of ['--json', '--config <path>', '--debug', '-q, --quiet', '--explain', '-v, --version'])
      expect(r.stdout).toContain(`  ${flag}`);
    expect(r.stdout).not.toMatch(/-c, --config/);
    expect((await stigmer(['-c', 'x.yml', 'config', 'print'], { cwd })).exitCode).toBe(2);
  });
});

describe('flags only where they apply', () => {
  it('--platform, --pull, --offline and --build only on the commands that resolve an image', async () => {
    const cwd = await projectDir();
    for (const leaf of LEAVES) {
      const help = await stigmer([...leaf.split(' '), '--help'], { cwd });
      expect(help.exitCode, leaf).toBe(0);
      for (const flag of ['--platform', '--pull', '--offline', '--build']) {
        if (leaf === 'image import' && flag === '--platform') continue; // the platform the archive must have
        expect(help.stdout.includes(flag), `${leaf} ${flag}`).toBe(RESOLVING.has(leaf));
      }
    }
    const stop = await stigmer(['server', 'stop', '--pull', 'never', '--json'], { cwd });
    expectUsageError(stop, /^unknown option '--pull'/);
  });
});

describe('JSON everywhere', () => {
  it('usage errors are one JSON document with code USAGE and exit 2', async () => {
    const cwd = await projectDir();
    expectUsageError(
      await stigmer(['image', 'resolve', '--bogus', '--json'], { cwd }),
      /unknown option '--bogus'/,
    );
    expectUsageError(
      await stigmer(['--json', 'imgae'], { cwd }),
      /unknown command 'imgae'[\s\S]*Did you mean image\?/,
    );
    expectUsageError(
      await stigmer(['--json', 'image'], { cwd }),
      /^'stigmer image' needs a command: resolve, pull/,
    );
    expectUsageError(
      await stigmer(['image', 'export', '--json'], { cwd }),
      /missing required argument 'dir'/,
    );
    expectUsageError(await stigmer(['completion', 'tcsh', '--json'], { cwd }), /value 'tcsh' is invalid/);
    expectUsageError(await stigmer(['--json', 'help', 'nope'], { cwd }), /unknown command 'nope'/);
    const plain = await stigmer(['image', 'resolve', '--bogus'], { cwd });
    expect(plain.exitCode).toBe(2);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toBe(
      "error: unknown option '--bogus'\nRun 'stigmer image resolve --help' for usage.\n",
    );
  });

  it('every command that needs no container prints one document matching its schema', async () => {
    const { cwd } = await localProject();
    const json = async (args: string[]) => {
      const r = await stigmer([...args, '--json'], { cwd });
      expect(r.exitCode, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
      return r.stdout;
    };
    documentOf(schemas['image resolve'], await json(['image', 'resolve']));
    documentOf(schemas['config print'], await json(['config', 'print']));
    documentOf(schemas['config validate'], await json(['config', 'validate']));
    documentOf(schemas['plugins list'], await json(['plugins', 'list']));
    documentOf(schemas['server status'], await json(['server', 'status']));
    documentOf(schemas['server stop'], await json(['server', 'stop']));
    documentOf(schemas['completion'], await json(['completion', 'bash']));
    const version = documentOf(schemas['version'], await json(['version']));
    expect(version.engine?.apiVersion).toMatch(/^\d+\.\d+$/);
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'stigmer-export-')), 'images');
    const exported = documentOf(schemas['image export'], await json(['image', 'export', dir]));
    expect(exported.manifest.images).toHaveLength(1);
    const imported = documentOf(schemas['image import'], await json(['image', 'import', dir]));
    expect(imported.images[0]?.name).toBe(exported.manifest.images[0]?.name);
    // A failure is a document of the same shape: ok false, error with code, message, exit code.
    const logs = await stigmer(['server', 'logs', '--json'], { cwd });
    expect(logs.exitCode).toBe(14);
    expect(documentOf(failure, logs.stdout).error).toMatchObject({ code: 'SERVER_NOT_FOUND', exitCode: 14 });
  });

  it('server start, status, logs and stop of a running container, each as JSON', async () => {
    const f = await serverFixture();
    const start = await runStigmer(f, ['server', 'start', '--json']);
    expect(start.exitCode, start.stderr).toBe(0);
    expect(documentOf(schemas['server start'], start.stdout).action).toBe('started');
    const status = documentOf(
      schemas['server status'],
      (await runStigmer(f, ['server', 'status', '--json'])).stdout,
    );
    expect(status.running).toBe(true);
    expect(status.imageSizeBytes).toBeGreaterThan(0);
    const logs = await runStigmer(f, ['server', 'logs', '--json', '--no-follow', '-n', 'all']);
    expect(logs.exitCode).toBe(0);
    const lines = logs.stdout
      .trimEnd()
      .split('\n')
      .map((l) => documentOf(schemas['server logs'], l));
    expect(lines[0]).toEqual({ ok: true, line: 'runner up key=***' });
    const stop = documentOf(
      schemas['server stop'],
      (await runStigmer(f, ['server', 'stop', '--json'])).stdout,
    );
    expect(stop.containers).toHaveLength(1);
  });

  it('warnings are JSON too: a line on stderr as they happen, and in the document', async () => {
    const cwd = await projectDir({ '.stigmerrc': 'image:\n  platform: amd64\n' });
    const r = await stigmer(['version', '--json'], { cwd });
    expect(r.exitCode).toBe(0);
    const doc = documentOf(schemas.version, r.stdout);
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings[0]?.message).toMatch(
      /^the image to pull is unknown: Invalid stigmer config in \S+\.stigmerrc \(1 problem\):$/,
    );
    expect(JSON.parse(r.stderr)).toEqual({ event: 'warning', message: doc.warnings[0]?.message });
  });
});

describe('help that teaches', () => {
  it('every command: a one-line description, options, two or three examples, the environment it reads', async () => {
    const cwd = await projectDir();
    for (const leaf of LEAVES) {
      const r = await stigmer([...leaf.split(' '), '--help'], { cwd });
      const [usage, blank, description] = r.stdout.split('\n');
      expect(usage, leaf).toMatch(new RegExp(`^Usage: stigmer ${leaf}`));
      expect(blank).toBe('');
      expect(description, leaf).toMatch(/^[a-z].{10,}[^.]$/);
      expect(r.stdout, leaf).toContain('\nOptions:\n');
      const examples = r.stdout.split('\n').filter((l) => l.startsWith('  $ '));
      expect(examples.length, leaf).toBeGreaterThanOrEqual(2);
      expect(examples.length, leaf).toBeLessThanOrEqual(4);
      if (leaf !== 'plugins list' && leaf !== 'completion')
        expect(r.stdout, leaf).toContain('\nEnvironment:\n');
    }
    const completion = await stigmer(['completion', '--help'], { cwd });
    expect(completion.stdout).toContain(
      'stigmer completion bash > ~/.local/share/bash-completion/completions/stigmer',
    );
  });

  it('`stigmer help server logs` is the help of `server logs`', async () => {
    const cwd = await projectDir();
    const viaHelp = await stigmer(['help', 'server', 'logs'], { cwd });
    const viaFlag = await stigmer(['server', 'logs', '--help'], { cwd });
    expect(viaHelp.exitCode).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toContain('-n, --tail <lines>');
  });

  it('-v, -V, --version print the version alone; `version` says more, --json with the engine when reachable', async () => {
    const cwd = await projectDir();
    const flags = await Promise.all(['-v', '-V', '--version'].map((f) => stigmer([f], { cwd })));
    for (const r of flags) {
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?\n$/);
    }
    const text = await stigmer(['version'], { cwd });
    expect(text.stdout).toMatch(/^stigmer +\d+\.\d+\.\d+/m);
    expect(text.stdout).toMatch(
      /^image +ghcr\.io\/stigmer\/agent-runner:(latest|v[\d.]+) \(pulled by ghcr\)$/m,
    );
    expect(text.stdout).toContain(`node    ${process.version}`);
    expect(text.stdout).toMatch(/^engine {2}\S+ \(API \d+\.\d+, linux\/amd64\) at unix:\/\//m);
    const viaFlag = documentOf(schemas.version, (await stigmer(['-v', '--json'], { cwd })).stdout);
    expect(viaFlag.node.version).toBe(process.version);
    const noEngine = await stigmer(['version', '--json'], {
      cwd,
      env: { DOCKER_HOST: `unix://${cwd}/no-engine.sock` },
    });
    expect(noEngine.exitCode).toBe(0);
    const doc = documentOf(schemas.version, noEngine.stdout);
    expect(doc.engine).toBeNull();
    expect(doc.engineError).toMatch(/^Docker is not running/);
  });
});

describe('shell completion, from the command tree', () => {
  let scripts: Record<'bash' | 'zsh' | 'fish', string>;
  let dir: string;
  beforeAll(async () => {
    dir = await projectDir();
    scripts = { bash: '', zsh: '', fish: '' };
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const r = await stigmer(['completion', shell], { cwd: dir });
      expect(r.exitCode).toBe(0);
      const file = path.join(dir, `stigmer.${shell}`);
      await import('node:fs/promises').then((fs) => fs.writeFile(file, r.stdout));
      scripts[shell] = file;
    }
  });

  /** COMP_WORDS and COMP_CWORD as bash sets them, then the completion function, in a real bash. */
  async function bash(words: string[]): Promise<string[]> {
    const script = `source ${JSON.stringify(scripts.bash)}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_stigmer; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const { stdout } = await run('bash', ['--norc', '-c', script], { cwd: dir });
    return stdout.split('\n').filter(Boolean);
  }

  it('bash: commands, subcommands, flags, fixed values, folders', async () => {
    expect(await bash(['stigmer', ''])).toEqual([
      'image',
      'config',
      'plugins',
      'server',
      'version',
      'completion',
      'help',
    ]);
    expect(await bash(['stigmer', 'se'])).toEqual(['server']);
    expect(await bash(['stigmer', '--json', 'server', 'st'])).toEqual(['start', 'stop', 'status']);
    expect(await bash(['stigmer', 'image', 'resolve', '--pu'])).toEqual(['--pull']);
    expect(await bash(['stigmer', 'image', 'resolve', '--pull', ''])).toEqual([
      'missing',
      'always',
      'never',
      'newer',
    ]);
    expect(await bash(['stigmer', 'image', 'pull', '--pull', '=', 'ne'])).toEqual(['never', 'newer']);
    expect(await bash(['stigmer', 'server', 'logs', '-n', '5', '--component', ''])).toEqual(['agent-runner']);
    expect(await bash(['stigmer', 'server', 'ma'])).toEqual(['manifest']);
    expect(await bash(['stigmer', 'server', 'manifest', '--format', ''])).toEqual(['kubernetes']);
    expect(await bash(['stigmer', 'server', 'manifest', '--output', ''])).toEqual(['yaml', 'json']);
    expect(await bash(['stigmer', 'server', 'manifest', '--in'])).toEqual(['--include-secrets']);
    expect(await bash(['stigmer', 'server', 'status', '--'])).toEqual([
      '--json',
      '--config',
      '--debug',
      '--quiet',
      '--help',
    ]);
    expect(await bash(['stigmer', 'server', 'stop', '--ex'])).toEqual(['--explain']);
    expect(await bash(['stigmer', 'server', 'status', '--ex'])).toEqual([]);
    expect(await bash(['stigmer', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    expect(await bash(['stigmer', 'help', 'server', 'l'])).toEqual(['logs']);
    expect(await bash(['stigmer', '--config', 'x.yml', 'plugins', ''])).toEqual(['list']);
    expect(
      await bash(['stigmer', 'image', 'export', `${path.dirname(dir)}/${path.basename(dir).slice(0, -2)}`]),
    ).toContain(dir);
  });

  it('zsh: the same walk, answered with descriptions (compsys calls stubbed to print what they get)', async () => {
    const script = `compdef() { :; }
_describe() { print -r -- "\${(j: :)\${(@)\${(P)4}%%:*}}"; }
compadd() { shift; print -r -- "$*"; }
compset() { :; }
_files() { print -r -- "files $*"; }
source ${JSON.stringify(scripts.zsh)}
t() { words=("$@"); CURRENT=\${#words}; _stigmer; }
t stigmer ''
t stigmer --json server ''
t stigmer image resolve --pull ''
t stigmer image export ''
t stigmer server status -
t stigmer server manifest --format ''`;
    const { stdout } = await run('zsh', ['-f', '-c', script], { cwd: dir });
    expect(stdout.split('\n')).toEqual([
      'image config plugins server version completion help',
      'start restart stop manifest status logs',
      'missing always never newer',
      'files -/',
      '--json --config --debug -q --quiet -h --help',
      'kubernetes',
      '',
    ]);
    expect(await import('node:fs/promises').then((fs) => fs.readFile(scripts.zsh, 'utf8'))).toContain(
      "'resolve:resolve the image through the plugin chain and print the one that would run'",
    );
  });

  it('fish: `complete -C` answers from the script', async () => {
    const complete = async (line: string) => {
      const { stdout } = await run('fish', [
        '--no-config',
        '-c',
        `source ${scripts.fish}; complete -C '${line}'`,
      ]);
      return stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]);
    };
    expect(await complete('stigmer server st')).toEqual(['start', 'status', 'stop']);
    expect(await complete('stigmer image resolve --pull ')).toEqual(['always', 'missing', 'never', 'newer']);
    expect(await complete('stigmer --json image re')).toEqual(['resolve']);
    expect(await complete('stigmer server logs --component ')).toEqual(['agent-runner']);
  });
});

describe('progress people can read in CI', () => {
  it('a throttled pull with CI=true prints a plain line at least every 10% of the bytes: bytes, total, rate, layers', async () => {
    const imageTag = `conventions-${process.pid}`;
    await publishFreshImage(harness().openRegistry, 'stigmer/fresh', imageTag, 4 * 1024 * 1024);
    proxy.proxy.add({
      target: 'blob',
      fault: { kind: 'slow', bytesPerSecond: 1_000_000 },
      minBytes: 1_000_000,
    });
    const tag = localTag();
    const reference = `${proxy.proxy.host}/stigmer/fresh:${imageTag}`;
    made.push(tag, reference);
    const cwd = await projectDir({
      '.stigmerrc': stigmerrc(tag, {
        registry: proxy.proxy.host,
        repository: 'stigmer/fresh',
        tag: imageTag,
      }),
    });
    const r = await stigmer(['image', 'pull'], { cwd, env: { CI: 'true' } });
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`Pulling ${reference}`);
    const progress = lines.filter((l) => l.startsWith(`  ${reference}: `));
    const figures = progress.map((l) =>
      /: (\d+\.\d [kM]?B) \/ (\d+\.\d MB) \((\d+)%\), (\d+(\.\d)? [kM]?B\/s), layers (\d)\/(\d) done$/.exec(
        l,
      ),
    );
    expect(figures.every(Boolean), progress.join('\n')).toBe(true);
    const percents = figures.map((m) => Number(m?.[3]));
    expect(percents.length).toBeGreaterThanOrEqual(8);
    // Each line is a new tenth: the gap between lines never exceeds what one engine event carries.
    for (const [i, p] of percents.entries()) if (i > 0) expect(p).toBeGreaterThan(percents[i - 1] as number);
    expect(percents.at(-1)).toBe(100);
    expect(figures.some((m) => /^[1-9]/.test(m?.[4] ?? ''))).toBe(true);
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^Pulled ${reference.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: \\d+\\.\\d MB, 2 layers, \\d+\\.\\ds$`,
      ),
    );
    expect(r.stderr).not.toContain('\r');
  });

  it('server stop says what it waits for during the grace period', async () => {
    // A shell as PID 1 ignores SIGTERM: the stop waits the whole grace period, then the engine kills.
    const f = await serverFixture({ agentRunner: { init: false }, server: { stopTimeout: '6s' } });
    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    const r = await runStigmer(f, ['server', 'stop']);
    expect(r.exitCode).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^Stopping ${f.name} \\([0-9a-f]{12}\\): waiting up to 6s for it to exit after its stop signal, then the engine kills it\\.\\.\\.$`,
      ),
    );
    expect(lines).toContain(`  still waiting for ${f.name} to exit (5s of 6s)...`);
  });
});

describe('messages without slips', () => {
  it('--explain names the engine and the config also when the run fails', async () => {
    const tag = localTag();
    const cwd = await projectDir({ '.stigmerrc': stigmerrc(tag, { registry: '127.0.0.1:9', tag: 'none' }) });
    const r = await stigmer(['image', 'resolve', '--pull', 'never', '--explain'], { cwd });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^Engine: unix:\/\/\S+ \(DOCKER_HOST\)$/m);
    expect(r.stderr).toContain(`\nConfig: ${cwd}/.stigmerrc\nDecisions:\n`);
    const down = await stigmer(['image', 'resolve', '--explain'], {
      cwd,
      env: { DOCKER_HOST: `unix://${cwd}/no-engine.sock` },
    });
    expect(down.exitCode).toBe(69);
    expect(down.stderr).toContain('\nEngine: none answered (see above)\n');
  });

  it('image import of a missing folder says the folder does not exist', async () => {
    const cwd = await projectDir();
    const r = await stigmer(['image', 'import', 'no-such-folder'], { cwd });
    expect(r.exitCode).toBe(78);
    expect(r.stderr.split('\n')[0]).toBe(
      `The folder ${cwd}/no-such-folder does not exist. Write one with \`stigmer image export ${cwd}/no-such-folder\` on a machine with network access.`,
    );
  });

  it('config print shows the engine host, platform and data folder in use, with how they were found', async () => {
    const cwd = await projectDir();
    const r = await stigmer(['config', 'print'], { cwd });
    const row = (key: string) =>
      r.stdout
        .split('\n')
        .find((l) => l.startsWith(`${key} `))
        ?.replace(/\s+/g, ' ');
    expect(row('engine.host')).toBe(`engine.host ${harness().dockerHost} (discovery DOCKER_HOST)`);
    expect(row('image.platform')).toBe("image.platform linux/amd64 (engine the engine's own platform)");
    expect(row('server.dataDir')).toBe(
      `server.dataDir ${cwd}/.stigmer/data (built-in default (~/.stigmer/data))`,
    );
    expect(r.stdout).not.toContain('(unset)');
  });

  it('config validate reports every problem at once: settings, environment, missing plugins, plugin options', async () => {
    const cwd = await projectDir({
      '.stigmerrc': [
        'image:',
        '  platform: amd64',
        'plugins:',
        '  - local-image',
        '  - [ghcr, {registry: 5000}]',
        '  - nope',
        '  - [agent-runner, {logLevel: 3}]',
        '',
      ].join('\n'),
    });
    const r = await stigmer(['config', 'validate'], { cwd, env: { STIGMER_PULL_RETRIES: 'many' } });
    expect(r.exitCode).toBe(78);
    const file = `${cwd}/.stigmerrc`;
    expect(r.stderr).toContain(
      `In ${file}:\n  - image.platform: expected os/arch[/variant] such as linux/arm64\n`,
    );
    expect(r.stderr).toContain(
      'In the environment:\n  - STIGMER_PULL_RETRIES (pull.retries): expected a whole number',
    );
    expect(r.stderr).toContain('  - plugins[1][1].registry: expected string, received number\n');
    expect(r.stderr).toContain('  - plugins[2]: Cannot find plugin "nope" (plugins[2] in');
    expect(r.stderr).toMatch(/ {2}- plugins\[3\]\[1\]\.logLevel: /);
    const json = await stigmer(['config', 'validate', '--json'], {
      cwd,
      env: { STIGMER_PULL_RETRIES: 'many' },
    });
    const doc = documentOf(failure, json.stdout);
    const problems = doc.error.details.problems as { where: string; key: string }[];
    expect(problems.map((p) => p.key)).toEqual([
      'image.platform',
      'STIGMER_PULL_RETRIES (pull.retries)',
      'plugins[1][1].registry',
      'plugins[2]',
      'plugins[3][1].logLevel',
    ]);
    expect(problems.filter((p) => p.where === file)).toHaveLength(4);
  });
});

afterAll(async () => {
  await removeImages(harnessDocker(), made.splice(0));
});
