import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderWith } from '../test-support/folder.js';
import { type FindConfigOptions, findConfig as find } from './load.js';
import { mayHaveConfig } from './search-places.js';

const project = (files: Record<string, string>) => folderWith(files, 'stigmer-config-');

/** An empty home folder, so the real user's config never takes part. */
const emptyHome = await folderWith({}, 'stigmer-home-');
const findConfig = (options: FindConfigOptions) => find({ env: { HOME: emptyHome }, ...options });

describe('config search', () => {
  it('finds .stigmerrc (YAML) in the current folder', async () => {
    const dir = await project({ '.stigmerrc': 'image:\n  localTag: mine:dev\n' });
    await expect(findConfig({ cwd: dir })).resolves.toEqual({
      path: path.join(dir, '.stigmerrc'),
      config: { image: { localTag: 'mine:dev' } },
      scope: 'project',
    });
  });

  it('reads .stigmerrc written as JSON', async () => {
    const dir = await project({ '.stigmerrc': '{"plugins": ["local-image"]}' });
    expect((await findConfig({ cwd: dir }))?.config).toEqual({ plugins: ['local-image'] });
  });

  it.each([
    ['.stigmerrc.json', '{"image":{"localTag":"a:b"}}'],
    ['.stigmerrc.yaml', 'image: {localTag: "a:b"}'],
    ['.stigmerrc.yml', 'image: {localTag: "a:b"}'],
    ['stigmer.config.mjs', 'export default { image: { localTag: "a:b" } };'],
    ['stigmer.config.cjs', 'module.exports = { image: { localTag: "a:b" } };'],
    ['package.json', '{"name":"x","stigmer":{"image":{"localTag":"a:b"}}}'],
  ])('finds %s', async (name, content) => {
    const dir = await project({ [name]: content });
    expect((await findConfig({ cwd: dir }))?.config).toEqual({ image: { localTag: 'a:b' } });
  });

  it('walks up from a subfolder to the project root', async () => {
    const dir = await project({
      '.stigmerrc': 'image: {localTag: "root:1"}',
      'package.json': '{}',
      'a/b/keep': '',
    });
    const found = await findConfig({ cwd: path.join(dir, 'a/b') });
    expect(found?.path).toBe(path.join(dir, '.stigmerrc'));
  });

  it('stops at the project root (the first folder with a package.json)', async () => {
    const dir = await project({ '.stigmerrc': 'image: {localTag: "outer:1"}', 'inner/package.json': '{}' });
    await expect(findConfig({ cwd: path.join(dir, 'inner') })).resolves.toBeUndefined();
  });

  it('returns undefined when there is no config file: the embedded default applies', async () => {
    const dir = await project({ 'package.json': '{}' });
    await expect(findConfig({ cwd: dir })).resolves.toBeUndefined();
  });

  it('loads exactly the file given with --config', async () => {
    const dir = await project({
      '.stigmerrc': 'image: {localTag: "searched:1"}',
      'ci/custom.yaml': 'image: {localTag: "given:1"}',
    });
    const found = await findConfig({ cwd: dir, configPath: 'ci/custom.yaml' });
    expect(found).toEqual({
      path: path.join(dir, 'ci/custom.yaml'),
      config: { image: { localTag: 'given:1' } },
      scope: 'flag',
    });
  });

  it('says which --config file does not exist', async () => {
    const dir = await project({});
    await expect(findConfig({ cwd: dir, configPath: 'nope.yaml' })).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: `The config file ${path.join(dir, 'nope.yaml')} (from --config) does not exist.`,
    });
  });
});

describe('config validation: each bad config and the message it prints', () => {
  const cases: [string, string, string][] = [
    ['a misspelt top-level key', 'plugin: [ghcr]', '  - plugin: unknown key (not a stigmer setting)'],
    [
      'a per-run setting in a file',
      'build: true',
      '  - build: not a config file key: build is set for one run, with --build or STIGMER_BUILD',
    ],
    [
      'a misspelt nested key',
      'image:\n  localtag: x:y',
      '  - image.localtag: unknown key (not a stigmer setting)',
    ],
    ['plugins not a list', 'plugins: ghcr', '  - plugins: expected array, received string'],
    [
      'a plugin entry of the wrong shape',
      'plugins:\n  - local-image\n  - [ghcr, not-an-object]',
      '  - plugins[1]: expected a plugin name, or [name, { options }]',
    ],
    ['an empty plugin name', 'plugins: [""]', '  - plugins[0]: expected a plugin name'],
    [
      'a bad platform',
      'image: {platform: arm64}',
      '  - image.platform: expected os/arch[/variant] such as linux/arm64',
    ],
    [
      'a local tag with spaces',
      'image: {localTag: "my image"}',
      '  - image.localTag: expected an image name such as stigmer-agent-runner:local',
    ],
    [
      'a bad duration',
      'timeouts: {resolveImage: soon}',
      '  - timeouts.resolveImage: expected a duration such as 30s, 10m or 1h, got "soon"',
    ],
    [
      'a timeout for a hook that does not exist',
      'timeouts: {resolve: 10s}',
      '  - timeouts.resolve: unknown key (not a stigmer setting)',
    ],
    [
      'an engine host without a scheme',
      'engine: {host: /var/run/docker.sock}',
      '  - engine.host: expected an engine address such as unix:///var/run/docker.sock',
    ],
    [
      'a config that is not an object',
      '- just\n- a list',
      '  - (top level): expected object, received array',
    ],
  ];

  it.each(cases)('%s', async (_, content, line) => {
    const dir = await project({ '.stigmerrc': content });
    const file = path.join(dir, '.stigmerrc');
    const error = await findConfig({ cwd: dir }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toBe(`Invalid stigmer config in ${file} (1 problem):\n${line}`);
  });

  it('reports every problem at once', async () => {
    const dir = await project({ '.stigmerrc': 'image: {platform: x}\nextra: 1\n' });
    const message = (await findConfig({ cwd: dir }).catch((e: Error) => e)) as Error;
    expect(message.message).toContain('(2 problems)');
  });

  it('names the file and the parser error when the YAML is broken', async () => {
    const dir = await project({ '.stigmerrc': 'image: [unclosed' });
    const error = await findConfig({ cwd: dir }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toMatch(
      new RegExp(`^Could not read the stigmer config ${path.join(dir, '.stigmerrc')}: `),
    );
  });
});

describe('config files that fail to load', () => {
  it('names the file (not its folder) and its own error when a .stigmerrc.mjs throws', async () => {
    const dir = await project({ '.stigmerrc.mjs': 'throw new Error("boom in config");' });
    const error = await findConfig({ cwd: dir }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: `Could not read the stigmer config ${path.join(dir, '.stigmerrc.mjs')}: boom in config`,
      details: { path: path.join(dir, '.stigmerrc.mjs') },
    });
  });

  it('names a CommonJS config that throws, with its own error', async () => {
    const dir = await project({ 'stigmer.config.cjs': 'throw new TypeError("cjs says no");' });
    const error = await findConfig({ cwd: dir }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `Could not read the stigmer config ${path.join(dir, 'stigmer.config.cjs')}: cjs says no`,
    );
  });

  it('refuses a config file over 1 MB before parsing it, naming it and its size', async () => {
    const names = Array.from({ length: 120_000 }, (_, i) => `  - plugin-number-${i}`).join('\n');
    const dir = await project({ '.stigmerrc': `plugins:\n${names}\n` });
    const error = await findConfig({ cwd: dir }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^The stigmer config ${path.join(dir, '.stigmerrc')} is \\d+\\.\\d MB; a config file may be at most 1 MB`,
      ),
    );
  });
});

describe('the quick check that skips cosmiconfig when there is no config', () => {
  it('agrees with the real search: a package.json without a stigmer key is no config', async () => {
    const dir = await project({ 'package.json': '{"name":"x"}' });
    expect(mayHaveConfig(dir, { HOME: emptyHome })).toBe(false);
    await expect(findConfig({ cwd: dir })).resolves.toBeUndefined();
  });

  it.each(['.stigmerrc', '.config/stigmerrc.yaml', 'stigmer.config.mjs'])(
    'sees %s, and a package.json with a stigmer key',
    async (place) => {
      const env = { HOME: emptyHome };
      expect(mayHaveConfig(await project({ [place]: '', 'package.json': '{}' }), env)).toBe(true);
      expect(mayHaveConfig(await project({ 'package.json': '{"stigmer":{}}' }), env)).toBe(true);
    },
  );
});

describe('user-level config, read when the project has none', () => {
  const home = (files: Record<string, string>) => folderWith(files, 'stigmer-home-');

  it.each([
    ['.stigmerrc', 'image: {localTag: "home:1"}'],
    ['.stigmerrc.json', '{"image":{"localTag":"home:1"}}'],
    ['.config/stigmer/config.yaml', 'image: {localTag: "home:1"}'],
    ['.config/stigmer/config', 'image: {localTag: "home:1"}'],
    ['.config/stigmer/config.json', '{"image":{"localTag":"home:1"}}'],
  ])('finds ~/%s from a folder outside any project', async (name, content) => {
    const HOME = await home({ [name]: content });
    const cwd = await project({ 'package.json': '{}' });
    const found = await find({ cwd, env: { HOME } });
    expect(found).toEqual({
      path: path.join(HOME, name),
      config: { image: { localTag: 'home:1' } },
      scope: 'user',
    });
  });

  it('looks in $XDG_CONFIG_HOME/stigmer when it is set', async () => {
    const HOME = await home({ '.config/stigmer/config.yaml': 'image: {localTag: "ignored:1"}' });
    const XDG_CONFIG_HOME = await home({ 'stigmer/config.yaml': 'image: {localTag: "xdg:1"}' });
    const cwd = await project({ 'package.json': '{}' });
    const found = await find({ cwd, env: { HOME, XDG_CONFIG_HOME } });
    expect(found?.path).toBe(path.join(XDG_CONFIG_HOME, 'stigmer/config.yaml'));
  });

  it('~/.stigmerrc comes before the user config folder', async () => {
    const HOME = await home({
      '.stigmerrc': 'image: {localTag: "rc:1"}',
      '.config/stigmer/config.yaml': 'image: {localTag: "dir:1"}',
    });
    const found = await find({ cwd: await project({ 'package.json': '{}' }), env: { HOME } });
    expect(found?.config).toEqual({ image: { localTag: 'rc:1' } });
  });

  it('a project config wins over the user-level one', async () => {
    const HOME = await home({ '.config/stigmer/config.yaml': 'image: {localTag: "user:1"}' });
    const cwd = await project({ 'package.json': '{}', '.stigmerrc': 'image: {localTag: "project:1"}' });
    const found = await find({ cwd, env: { HOME } });
    expect(found).toMatchObject({ path: path.join(cwd, '.stigmerrc'), scope: 'project' });
  });

  it('an invalid user-level config names its file', async () => {
    const HOME = await home({ '.config/stigmer/config.yaml': 'image: {localtag: x}' });
    const error = await find({ cwd: await project({ 'package.json': '{}' }), env: { HOME } }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe(
      `Invalid stigmer config in ${path.join(HOME, '.config/stigmer/config.yaml')} (1 problem):\n  - image.localtag: unknown key (not a stigmer setting)`,
    );
  });
});

describe('the search order', () => {
  it('project folders, then the home folder (unless the walk passed it), then the user config folder', async () => {
    const { searchSteps, userConfigDir } = await import('./search-places.js');
    const HOME = await folderWith({}, 'stigmer-home-');
    const cwd = await project({ 'package.json': '{}' });
    expect(searchSteps(cwd, { HOME }).map((s) => [s.folder, s.scope])).toEqual([
      [cwd, 'project'],
      [HOME, 'user'],
      [path.join(HOME, '.config/stigmer'), 'user'],
    ]);
    // A folder inside the home folder: the project walk passes the home folder, which is not searched twice.
    const inside = await folderWith({ 'work/keep': '' }, 'stigmer-home-');
    const steps = searchSteps(path.join(inside, 'work'), { HOME: inside });
    expect(steps.filter((s) => s.folder === inside).map((s) => s.scope)).toEqual(['project']);
    expect(steps.filter((s) => s.scope === 'user').map((s) => s.folder)).toEqual([
      path.join(inside, '.config/stigmer'),
    ]);
    expect(userConfigDir({ HOME: '/h' }, 'linux')).toBe('/h/.config/stigmer');
    expect(userConfigDir({ HOME: '/h', XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/x/stigmer');
    expect(userConfigDir({ HOME: '/h' }, 'darwin')).toBe('/h/Library/Preferences/stigmer');
  });
});
