import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, harnessDocker } from '../harness/context.js';
import { removeImages } from '../harness/images.js';
import { type CliResult, projectDir, stigmer } from './run.js';

/**
 * The fast path (packages/cli/src/fast/) must be invisible: for every command
 * line and project below, the CLI prints the same bytes on stdout and stderr
 * and exits with the same code whether the fast path is on (the default) or
 * off (STIGMER_FAST_PATH=0). Each run gets its own copy of the project (its
 * HOME too), so a one-time note or a pulled image of one run cannot change
 * the next. The only differences allowed are the ones two runs of the same
 * CLI have anyway: trace durations, and the project's folder in paths.
 *
 * Each case also says whether the fast path serves it: under
 * STIGMER_FAST_PATH=require a fallback exits 70 saying why, so a change that
 * quietly sends a local hit back to the full CLI fails here too.
 */

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const present = `stigmer-it/fast-path:t${process.pid}`;
const absent = `stigmer-it/fast-path:missing-${process.pid}`;

beforeAll(async () => {
  const [repository, tag] = present.split(':') as [string, string];
  const { testImage } = harness();
  await harnessDocker().getImage(`${testImage.repository}:${testImage.tag}`).tag({ repo: repository, tag });
});
afterAll(async () => {
  await removeImages(harnessDocker(), [present]);
});

/** A plugin in the project that warns, then passes. */
const warner = `export default { name: 'warner', version: '0.0.1', apiVersion: '1.0', apply(hooks) {
  hooks.resolveImage.tap((request, ctx) => { ctx.log.warn('a word of warning'); return undefined; });
} };`;

/** local-image installed beside the config, as npm lays it out, with another version than the CLI's. */
async function installOtherVersion(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'node_modules/@stigmer'), { recursive: true });
  await symlink(path.join(repo, 'packages/core'), path.join(dir, 'node_modules/@stigmer/core'));
  const target = path.join(dir, 'node_modules/@stigmer/plugin-local-image');
  for (const part of ['package.json', 'dist']) {
    await cp(path.join(repo, 'packages/plugin-local-image', part), path.join(target, part), {
      recursive: true,
    });
  }
  const manifest = JSON.parse(await readFile(path.join(target, 'package.json'), 'utf8'));
  await writeFile(path.join(target, 'package.json'), JSON.stringify({ ...manifest, version: '9.9.9' }));
}

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  files?: Record<string, string>;
  /** Runs in the project folder before the command (installing packages...). */
  prepare?: (dir: string) => Promise<void>;
  /** The same project is run twice in a row: for one-time notes. */
  twice?: boolean;
  /** Whether the fast path serves it (else it hands it to the full CLI). */
  fast: boolean;
}

const localTag = { STIGMER_LOCAL_TAG: present };
const missingTag = { STIGMER_LOCAL_TAG: absent };
const unreachableGhcr = (tag: string) =>
  `image: {localTag: "${tag}"}\nplugins: [local-image, [ghcr, {registry: "127.0.0.1:9", repository: stigmer/agent-runner, tag: "0.1.0"}], build-hint]\n`;

const cases: Case[] = [
  { name: 'a local hit', args: ['image', 'resolve'], env: localTag, fast: true },
  { name: 'a local hit, --json', args: ['image', 'resolve', '--json'], env: localTag, fast: true },
  { name: 'a local hit, --explain', args: ['image', 'resolve', '--explain'], env: localTag, fast: true },
  {
    name: 'a local hit, --json --explain',
    args: ['image', 'resolve', '--json', '--explain'],
    env: localTag,
    fast: true,
  },
  { name: 'a local hit, flags first', args: ['--json', '-q', 'image', 'resolve'], env: localTag, fast: true },
  {
    name: 'a local hit, --quiet --debug',
    args: ['image', 'resolve', '--quiet', '--debug'],
    env: localTag,
    fast: true,
  },
  { name: 'a local hit, --offline', args: ['image', 'resolve', '--offline'], env: localTag, fast: true },
  {
    name: 'a local hit named in .stigmerrc',
    args: ['image', 'resolve', '--explain'],
    files: { '.stigmerrc': `image:\n  localTag: ${present}\n` },
    fast: true,
  },
  {
    name: 'a local hit with the chain in .stigmerrc and an unreachable registry after it',
    args: ['image', 'resolve', '--json'],
    files: { '.stigmerrc': unreachableGhcr(present) },
    fast: true,
  },
  {
    name: 'a local hit, --config PATH',
    args: ['image', 'resolve', '--config', 'conf/stigmer.yaml'],
    files: { 'conf/stigmer.yaml': `image:\n  localTag: ${present}\n` },
    fast: true,
  },
  {
    name: 'a local hit, --config=PATH, --explain',
    args: ['--config=conf/stigmer.json', 'image', 'resolve', '--explain'],
    files: { 'conf/stigmer.json': JSON.stringify({ image: { localTag: present } }) },
    fast: true,
  },
  {
    name: 'a plugin that warns before the local hit',
    args: ['image', 'resolve'],
    files: {
      '.stigmerrc': `image: {localTag: "${present}"}\nplugins: [./warner.mjs, local-image]\n`,
      'warner.mjs': warner,
    },
    fast: true,
  },
  {
    name: 'a plugin that warns, --json',
    args: ['image', 'resolve', '--json'],
    files: {
      '.stigmerrc': `image: {localTag: "${present}"}\nplugins: [./warner.mjs, local-image]\n`,
      'warner.mjs': warner,
    },
    fast: true,
  },
  {
    name: 'an installed plugin of another version: its one-time note, then none',
    args: ['image', 'resolve'],
    files: { '.stigmerrc': `image: {localTag: "${present}"}\nplugins: [local-image]\n` },
    prepare: installOtherVersion,
    twice: true,
    fast: true,
  },
  {
    name: 'a broken ~/.stigmer/config.yaml (a warning)',
    args: ['image', 'resolve'],
    env: localTag,
    files: { '.stigmer/config.yaml': 'engine: [' },
    fast: true,
  },
  // What the fast path hands to the full CLI.
  {
    name: 'the image missing, --offline',
    args: ['image', 'resolve', '--offline'],
    env: missingTag,
    fast: false,
  },
  {
    name: 'the image missing, the registry unreachable',
    args: ['image', 'resolve'],
    files: { '.stigmerrc': unreachableGhcr(absent) },
    fast: false,
  },
  {
    name: 'the image missing, the registry unreachable, --json',
    args: ['image', 'resolve', '--json'],
    files: { '.stigmerrc': unreachableGhcr(absent) },
    fast: false,
  },
  {
    // A plugin that caught a refusal might record a failure (a mirror's cool-down) and change the next run.
    name: 'an unreachable mirror before an unreachable origin, twice in a row (its cool-down)',
    args: ['image', 'resolve'],
    files: {
      '.stigmerrc': `image: {localTag: "${absent}"}\nplugins: [local-image, [registry, {image: "127.0.0.1:9/stigmer/agent-runner", tag: "0.1.0", mirrors: [{match: "127.0.0.1:9/stigmer/*", rewrite: "127.0.0.1:10/stigmer/*"}]}]]\n`,
    },
    env: { STIGMER_PULL_RETRIES: '0' },
    twice: true,
    fast: false,
  },
  {
    name: 'a pull policy that asks the registry',
    args: ['image', 'resolve'],
    env: { ...localTag, STIGMER_PULL_POLICY: 'always' },
    files: { '.stigmerrc': unreachableGhcr(present) },
    fast: false,
  },
  {
    name: 'another platform than the image',
    args: ['image', 'resolve', '--offline'],
    env: { ...localTag, STIGMER_PLATFORM: 'linux/arm64' },
    fast: false,
  },
  { name: 'image pull', args: ['image', 'pull', '--offline'], env: localTag, fast: false },
  {
    name: '--platform (a value commander checks)',
    args: ['image', 'resolve', '--platform', 'linux/amd64'],
    env: localTag,
    fast: false,
  },
  { name: 'an unknown flag', args: ['image', 'resolve', '--bogus'], env: localTag, fast: false },
  { name: 'an extra operand', args: ['image', 'resolve', 'extra'], env: localTag, fast: false },
  { name: 'a flag between the words', args: ['image', '--json', 'resolve'], env: localTag, fast: false },
  { name: '--config with no value', args: ['image', 'resolve', '--config'], env: localTag, fast: false },
  { name: '--help', args: ['image', 'resolve', '--help'], fast: false },
  {
    name: 'an invalid config',
    args: ['image', 'resolve'],
    files: { '.stigmerrc': 'image: {localTag: 42}\n' },
    fast: false,
  },
  {
    name: 'a missing --config file',
    args: ['image', 'resolve', '--config', 'nowhere.yaml'],
    env: localTag,
    fast: false,
  },
  {
    name: 'no engine on the socket',
    args: ['image', 'resolve'],
    env: { ...localTag, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    fast: false,
  },
  {
    name: 'a tcp:// engine nobody answers',
    args: ['image', 'resolve', '--json'],
    env: { ...localTag, DOCKER_HOST: 'tcp://127.0.0.1:9' },
    fast: false,
  },
];

/** The project a case runs in: its files, prepared. */
async function project(c: Case): Promise<string> {
  const dir = await projectDir(c.files);
  await c.prepare?.(dir);
  return dir;
}

/** What may differ between two runs of the same CLI: durations, times, and the project's folder. */
function normalise(result: CliResult, dir: string): CliResult {
  const clean = (text: string) =>
    text
      .split(dir)
      .join('<project>')
      .replace(/"durationMs": [\d.]+/g, '"durationMs": 0')
      .replace(/ +\d+(\.\d+)?ms\b/g, ' <n>ms')
      .replace(/"delayMs":\d+/g, '"delayMs":0')
      // A cool-down ends at a time of its own run.
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
      // A retry's delay is jittered.
      .replace(/ in \d+(\.\d+)?s \(attempt/g, ' in <n>s (attempt');
  return { ...result, stdout: clean(result.stdout), stderr: clean(result.stderr) };
}

/** The case's runs (one, or two in a row) in a fresh project, with the fast path set by STIGMER_FAST_PATH. */
async function runs(c: Case, fastPath: string | undefined): Promise<CliResult[]> {
  const cwd = await project(c);
  const env = { ...c.env, ...(fastPath === undefined ? {} : { STIGMER_FAST_PATH: fastPath }) };
  const results: CliResult[] = [];
  for (let i = 0; i < (c.twice ? 2 : 1); i++) {
    results.push(normalise(await stigmer(c.args, { cwd, env }), cwd));
  }
  return results;
}

const view = ({ exitCode, stdout, stderr }: CliResult) => ({ exitCode, stdout, stderr });

describe('the fast path prints exactly what the full CLI prints', () => {
  it.each(cases)('$name', async (c) => {
    const [full, auto] = [await runs(c, '0'), await runs(c, undefined)];
    expect(auto.map(view)).toEqual(full.map(view));
    const required = await runs(c, 'require');
    if (c.fast || !c.args.includes('resolve')) {
      // Served; or never loaded (bin/start.js loads it only for a command line naming resolve).
      expect(required.map(view)).toEqual(full.map(view));
    } else {
      expect(required[0]?.exitCode).toBe(70);
      expect(required[0]?.stderr).toMatch(/^stigmer fast path fell back: /);
    }
  });

  it('the table covers local hits and fallbacks, and the runs differ by more than normalisation', async () => {
    expect(cases.filter((c) => c.fast).length).toBeGreaterThan(10);
    expect(cases.filter((c) => !c.fast).length).toBeGreaterThan(10);
    // The comparison is not vacuous: a local hit and a miss print different things.
    const [hit] = await runs(cases[0] as Case, undefined);
    const [miss] = await runs(
      { ...(cases[0] as Case), env: missingTag, args: ['image', 'resolve', '--offline'] },
      undefined,
    );
    expect(hit?.exitCode).toBe(0);
    expect(hit?.stdout).toContain(`${present} (`);
    expect(miss?.exitCode).not.toBe(0);
  });
});
