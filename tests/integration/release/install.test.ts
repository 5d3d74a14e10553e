import { access, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, harnessDocker } from '../harness/context.js';
import { removeImages } from '../harness/images.js';
import { spawnCollect } from '../harness/process.js';
import { startSshEngineServer } from '../harness/ssh-server.js';
import { tagImage, testImageRef } from '../plugins/helpers.js';
import { npm, npmCacheDir, npmConfig, packAll } from './npm.js';
import { type NpmRegistry, startNpmRegistry } from './npm-registry.js';
import { REPO, run } from './run.js';

// The packages as npm would publish them (`npm pack` of the built packages),
// installed into empty folders the way a user installs them, from an npm
// registry on loopback that serves these tarballs and, from the npm cache
// that `npm ci` filled, every third-party package: no network, and nothing
// from the repository's own node_modules.
let work: string;
let registry: NpmRegistry;
let config: Record<string, string>;
let tarballs: Map<string, string>;
let project: string;
const version = JSON.parse(await readFile(path.join(REPO, 'packages/cli/package.json'), 'utf8'))
  .version as string;
const localTag = `stigmer-it/install:t${process.pid}`;
const exampleSource = `stigmer-it/install-source:t${process.pid}`;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'stigmer-it-install-'));
  await mkdir(path.join(work, 'tarballs'));
  tarballs = await packAll(path.join(work, 'tarballs'));
  registry = await startNpmRegistry({
    lockfile: path.join(REPO, 'package-lock.json'),
    cacheDir: npmCacheDir(),
  });
  for (const tarball of tarballs.values()) await registry.add(tarball);
  config = await npmConfig(registry);
  project = path.join(work, 'project');
  await mkdir(project);
  await writeFile(
    path.join(project, 'package.json'),
    '{"name":"install-it","private":true,"type":"module"}\n',
  );
});

afterAll(async () => {
  await registry?.stop();
  await removeImages(harnessDocker(), [
    localTag,
    exampleSource,
    `${harness().openRegistry}/stigmer/agent-runner:0.1.0`,
  ]);
  if (work) await rm(work, { recursive: true, force: true });
});

/** `stigmer ARGS` as installed in `bin`, against the harness's engine, with a minimal environment. */
function stigmer(bin: string, args: string[], cwd = project) {
  return spawnCollect(bin, args, {
    cwd,
    env: {
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: cwd,
      DOCKER_HOST: harness().dockerHost,
    },
  }).done;
}

const tarball = (name: string) => {
  const file = tarballs.get(name);
  if (!file) throw new Error(`${name} was not packed`);
  return file;
};

describe('the packed packages, installed with npm into an empty project', () => {
  it('installs the CLI, a first-party plugin and a third-party plugin from their tarballs, with core as the plugins’ peer', async () => {
    const installed = await npm(
      [
        'install',
        '--save-dev',
        tarball('@stigmer/cli'),
        tarball('@stigmer/plugin-registry'),
        tarball('stigmer-plugin-example'),
        // What a plugin author writing TypeScript has beside them (the type test below).
        '@types/node@22',
      ],
      project,
      config,
    );
    expect(installed.exitCode, installed.stderr).toBe(0);
    const manifest = async (name: string) =>
      JSON.parse(await readFile(path.join(project, 'node_modules', name, 'package.json'), 'utf8'));
    expect((await manifest('@stigmer/cli')).version).toBe(version);
    // The plugin's peer dependency on core, installed by npm from the registry.
    expect((await manifest('@stigmer/core')).version).toBe(version);
    // The CLI carries its libraries in its bundle: it brings no dependencies of its own.
    await expect(access(path.join(project, 'node_modules/@stigmer/cli/node_modules'))).rejects.toThrow();
    expect(await readFile(path.join(project, 'node_modules/@stigmer/cli/LICENSE'), 'utf8')).toBe(
      await readFile(path.join(REPO, 'LICENSE'), 'utf8'),
    );
  });

  it('runs stigmer --version, config print and plugins list from node_modules/.bin', async () => {
    const bin = path.join(project, 'node_modules/.bin/stigmer');
    await writeFile(
      path.join(project, '.stigmerrc'),
      [
        `image: { localTag: "${localTag}" }`,
        'plugins:',
        `  - [example, { image: "${exampleSource}" }]`,
        `  - [registry, { image: "${harness().openRegistry}/stigmer/agent-runner", tag: "0.1.0" }]`,
        '',
      ].join('\n'),
    );
    expect(await stigmer(bin, ['--version'])).toMatchObject({ exitCode: 0, stdout: `${version}-dev\n` });

    const printed = await stigmer(bin, ['config', 'print', '--json']);
    expect(printed.exitCode, printed.stderr).toBe(0);
    expect(JSON.parse(printed.stdout)).toMatchObject({ configFile: path.join(project, '.stigmerrc') });

    const listed = await stigmer(bin, ['plugins', 'list', '--json']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const rows = (
      JSON.parse(listed.stdout) as { plugins: { name: string; version: string; loadedFrom: string }[] }
    ).plugins;
    expect(rows.map((r) => [r.name, r.version])).toEqual([
      ['example', '1.0.0'],
      ['stigmer:registry', version],
      ['stigmer:credentials', version],
    ]);
    expect(rows[0]?.loadedFrom).toBe(path.join(project, 'node_modules/stigmer-plugin-example/src/index.js'));
    // The installed first-party package has the CLI's version: its bundled copy runs.
    expect(rows[1]?.loadedFrom).toBe(
      `bundled with stigmer (@stigmer/plugin-registry; the copy installed in ${path.join(project, 'node_modules/@stigmer/plugin-registry')} is the same version, ${version})`,
    );
  });

  it('resolves against the real engine: the installed first-party plugin pulls from a loopback registry', async () => {
    const bin = path.join(project, 'node_modules/.bin/stigmer');
    const result = await stigmer(bin, ['image', 'resolve', '--explain']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${localTag} (${harness().testImage.id.slice(0, 19)}`);
    expect(result.stdout).toMatch(/resolveImage\s+example\s+passed/);
    expect(result.stdout).toMatch(/resolveImage\s+stigmer:registry\s+resolved/);
  });

  it('runs the third-party plugin from its own tarball: it resolves a local image by name', async () => {
    await removeImages(harnessDocker(), [localTag]);
    await tagImage(exampleSource, testImageRef());
    const bin = path.join(project, 'node_modules/.bin/stigmer');
    const result = await stigmer(bin, ['image', 'resolve']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${localTag} (${harness().testImage.id.slice(0, 19)}`);
    expect(result.stdout).toContain(`from example plugin (${exampleSource})`);
  });

  it('compiles a typed plugin against the installed core with skipLibCheck: false, and with bundler resolution', async () => {
    await copyFile(
      path.join(REPO, 'tests/fixtures/typed-plugin/index.ts'),
      path.join(project, 'typed-plugin.ts'),
    );
    const tsc = path.join(REPO, 'node_modules/typescript/bin/tsc');
    // lib without the DOM, as for any Node program. node16 checks every declaration file
    // (core's and what they import: no @types/dockerode here); bundler resolution then
    // only has to find the same files, and attw in npm run check covers it too.
    const base = { strict: true, noEmit: true, target: 'es2022', lib: ['es2022'], types: ['node'] };
    for (const [name, options] of [
      ['node16', { module: 'node16', moduleResolution: 'node16', skipLibCheck: false }],
      ['bundler', { module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true }],
    ] as const) {
      const file = path.join(project, `tsconfig.${name}.json`);
      await writeFile(
        file,
        JSON.stringify({ compilerOptions: { ...base, ...options }, files: ['typed-plugin.ts'] }),
      );
      const compiled = await run(process.execPath, [tsc, '-p', file], { cwd: project });
      expect(compiled, name).toMatchObject({ exitCode: 0, stdout: '' });
    }
  });
});

describe('npm install -g of the CLI', () => {
  it('puts a working stigmer in the prefix, with nothing installed but the CLI', async () => {
    const prefix = path.join(work, 'global');
    const installed = await npm(['install', '--global', '--prefix', prefix, '@stigmer/cli'], work, config);
    expect(installed.exitCode, installed.stderr).toBe(0);
    expect(await readdir(path.join(prefix, 'lib/node_modules'))).toEqual(['@stigmer']);
    expect(await readdir(path.join(prefix, 'lib/node_modules/@stigmer'))).toEqual(['cli']);

    const bin = path.join(prefix, 'bin/stigmer');
    expect(await stigmer(bin, ['--version'], work)).toMatchObject({
      exitCode: 0,
      stdout: `${version}-dev\n`,
    });
    const elsewhere = await mkdtemp(path.join(work, 'elsewhere-'));
    await writeFile(path.join(elsewhere, 'package.json'), '{}');
    const listed = await stigmer(bin, ['plugins', 'list'], elsewhere);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('from bundled with stigmer (@stigmer/plugin-local-image)');
    const resolved = await spawnCollect(bin, ['image', 'resolve', '--offline'], {
      cwd: elsewhere,
      env: {
        PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
        HOME: elsewhere,
        DOCKER_HOST: harness().dockerHost,
        STIGMER_LOCAL_TAG: exampleSource,
      },
    }).done;
    expect(resolved.exitCode, resolved.stderr).toBe(0);
    expect(resolved.stdout).toContain(`${exampleSource} (${harness().testImage.id.slice(0, 19)}`);
  });

  it('reaches an engine over ssh:// with the ssh2 its bundle carries', async () => {
    const socket = harness().dockerHost.replace(/^unix:\/\//, '');
    expect(socket, 'the harness engine is a unix socket').not.toBe(harness().dockerHost);
    const sshd = await startSshEngineServer(socket);
    try {
      const elsewhere = await mkdtemp(path.join(work, 'ssh-'));
      await writeFile(path.join(elsewhere, 'package.json'), '{}');
      const resolved = await spawnCollect(
        path.join(work, 'global/bin/stigmer'),
        ['image', 'resolve', '--offline'],
        {
          cwd: elsewhere,
          env: {
            PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
            HOME: elsewhere,
            DOCKER_HOST: sshd.dockerHost,
            STIGMER_LOCAL_TAG: exampleSource,
          },
        },
      ).done;
      expect(resolved.exitCode, resolved.stderr).toBe(0);
      expect(resolved.stdout).toContain(`${exampleSource} (${harness().testImage.id.slice(0, 19)}`);
      expect(sshd.commands.length).toBeGreaterThan(0);
      expect(new Set(sshd.commands)).toEqual(new Set(['docker system dial-stdio']));
    } finally {
      await sshd.stop();
    }
  });
});
