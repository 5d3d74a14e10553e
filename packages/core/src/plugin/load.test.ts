import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findConfig } from '../config/load.js';
import { resolveSettings } from '../config/settings.js';
import { folderWith } from '../test-support/folder.js';
import { versionMismatches } from './installed.js';
import { loadPlugins } from './load.js';
import { packageCandidates } from './specifier.js';

/** A plugin module as a third party would publish it: plain ESM, no dependency on core. */
const pluginSource = (name: string) => `
export default function factory() {
  return {
    name: ${JSON.stringify(name)},
    version: '2.0.0',
    apiVersion: '1.0',
    optionsSchema: {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate(value) {
          if (value.registry !== undefined && typeof value.registry !== 'string')
            return { issues: [{ message: 'expected a registry host', path: ['registry'] }] };
          return { value: { registry: value.registry ?? 'default.example' } };
        },
      },
    },
    apply(hooks, options) { hooks.resolveImage.tap(() => undefined); },
  };
}
`;

const pkg = (name: string) =>
  JSON.stringify({ name, version: '2.0.0', type: 'module', exports: './index.js' });

/** Loads the plugins named by the .stigmerrc in `dir`, as the CLI does. */
async function loadFrom(dir: string) {
  const file = await findConfig({ cwd: dir, env: { HOME: dir } });
  const { settings } = resolveSettings({ env: {}, file, defaultPlugins: [] });
  return loadPlugins(settings.plugins, {
    fromDir: dir,
    origin: file?.path ?? dir,
    validateOptions: true,
    searchInstalled: true,
  });
}

describe('plugin specifiers', () => {
  it.each([
    ['ghcr', ['@stigmer/plugin-ghcr', 'stigmer-plugin-ghcr']],
    ['foo', ['@stigmer/plugin-foo', 'stigmer-plugin-foo']],
    ['stigmer-plugin-foo', ['stigmer-plugin-foo']],
    ['@stigmer/ghcr', ['@stigmer/plugin-ghcr']],
    ['@stigmer/plugin-ghcr', ['@stigmer/plugin-ghcr']],
    ['@acme/foo', ['@acme/stigmer-plugin-foo']],
    ['@acme/stigmer-plugin-foo', ['@acme/stigmer-plugin-foo']],
    ['@acme', ['@acme/stigmer-plugin']],
  ])('%s may mean %j', (specifier, expected) => {
    expect(packageCandidates(specifier)).toEqual(expected);
  });
});

describe('loading plugins named in a .stigmerrc', () => {
  it('loads a third-party package by its short name from the config folder, with validated options', async () => {
    const dir = await folderWith({
      '.stigmerrc': 'plugins:\n  - [foo, {registry: mirror.example}]\n',
      'node_modules/stigmer-plugin-foo/package.json': pkg('stigmer-plugin-foo'),
      'node_modules/stigmer-plugin-foo/index.js': pluginSource('foo'),
    });
    const [loaded] = await loadFrom(dir);
    expect(loaded).toMatchObject({
      specifier: 'foo',
      index: 0,
      options: { registry: 'mirror.example' },
      loadedFrom: pathToFileURL(path.join(dir, 'node_modules/stigmer-plugin-foo/index.js')).href,
    });
    expect(loaded?.plugin).toMatchObject({ name: 'foo', version: '2.0.0' });
  });

  it('loads a scoped package and a relative path', async () => {
    const dir = await folderWith({
      '.stigmerrc': 'plugins: ["@acme/foo", "./plugins/local.mjs"]\n',
      'node_modules/@acme/stigmer-plugin-foo/package.json': pkg('@acme/stigmer-plugin-foo'),
      'node_modules/@acme/stigmer-plugin-foo/index.js': pluginSource('acme-foo'),
      'plugins/local.mjs': pluginSource('local'),
    });
    const loaded = await loadFrom(dir);
    expect(loaded.map((l) => [l.plugin.name, l.options])).toEqual([
      ['acme-foo', { registry: 'default.example' }],
      ['local', { registry: 'default.example' }],
    ]);
  });

  it('reports option errors at the plugin position in the config', async () => {
    const dir = await folderWith({
      '.stigmerrc': 'plugins:\n  - local-image\n  - [./p.mjs, {registry: 5}]\n',
      'p.mjs': pluginSource('p'),
    });
    // local-image is not installed in this folder; use a builtin to stand in for it.
    const file = await findConfig({ cwd: dir, env: { HOME: dir } });
    const { settings } = resolveSettings({ env: {}, file, defaultPlugins: [] });
    const error = await loadPlugins(settings.plugins, {
      fromDir: dir,
      origin: file?.path ?? '',
      validateOptions: true,
      searchInstalled: true,
      builtins: {
        '@stigmer/plugin-local-image': async () => ({
          default: { name: 'li', version: '1', apiVersion: '1.0', apply() {} },
        }),
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PLUGIN_OPTIONS_INVALID' });
    expect((error as Error).message).toBe(
      `Invalid stigmer config in ${path.join(dir, '.stigmerrc')} (options of plugin "p") (1 problem):\n  - plugins[1][1].registry: expected a registry host`,
    );
  });

  it('lists every name and folder tried when a plugin is missing', async () => {
    const dir = await folderWith({ '.stigmerrc': 'plugins: [nothere]\n' });
    const error = await loadFrom(dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PLUGIN_NOT_FOUND' });
    expect((error as Error).message).toBe(
      [
        `Cannot find plugin "nothere" (plugins[0] in ${path.join(dir, '.stigmerrc')}).`,
        'Tried:',
        `  - @stigmer/plugin-nothere from ${dir}`,
        `  - stigmer-plugin-nothere from ${dir}`,
        '  - @stigmer/plugin-nothere bundled with stigmer',
        '  - stigmer-plugin-nothere bundled with stigmer',
        'Install it where your config is: npm install --save-dev stigmer-plugin-nothere',
      ].join('\n'),
    );
  });

  it('says so when a relative plugin file does not exist', async () => {
    const dir = await folderWith({ '.stigmerrc': 'plugins: [./missing.mjs]\n' });
    await expect(loadFrom(dir)).rejects.toMatchObject({
      code: 'PLUGIN_NOT_FOUND',
      message: `Cannot find plugin "./missing.mjs" (plugins[0]): no file at ${path.join(dir, 'missing.mjs')}.`,
    });
  });

  it('refuses a module that does not export a plugin', async () => {
    const dir = await folderWith({
      '.stigmerrc': 'plugins: [./not-a-plugin.mjs]\n',
      'not-a-plugin.mjs': 'export const x = 1;',
    });
    await expect(loadFrom(dir)).rejects.toMatchObject({
      code: 'PLUGIN_INVALID',
      message: expect.stringContaining('is not a stigmer plugin'),
    });
  });

  it('names the plugin when its module throws while loading', async () => {
    const dir = await folderWith({
      '.stigmerrc': 'plugins: [./throws.mjs]\n',
      'throws.mjs': 'throw new Error("kaput");',
    });
    await expect(loadFrom(dir)).rejects.toMatchObject({
      code: 'PLUGIN_INVALID',
      message: expect.stringMatching(
        /^Plugin "\.\/throws\.mjs" \(file:.*throws\.mjs\) failed to load: kaput$/,
      ),
    });
  });

  it('names the plugin when its factory throws: PLUGIN_INVALID, not an internal error', async () => {
    const dir = await folderWith({
      '.stigmerrc': 'plugins: [./factory-throws.mjs]\n',
      'factory-throws.mjs': 'export default function factory() { throw new Error("no factory today"); }',
    });
    await expect(loadFrom(dir)).rejects.toMatchObject({
      code: 'PLUGIN_INVALID',
      details: { specifier: './factory-throws.mjs' },
      message: expect.stringMatching(
        /^Plugin "\.\/factory-throws\.mjs" \(file:.*factory-throws\.mjs\) is broken: its factory \(the default export\) threw: no factory today\. /,
      ),
    });
  });

  it('gives a plugin its defaultOptions when the config gives none, without loading its schema', async () => {
    const dir = await folderWith({
      '.stigmerrc': 'plugins: [./defaults.mjs]\n',
      'defaults.mjs': `export default {
        name: 'defaults', version: '1.0.0', apiVersion: '1.1', apply() {},
        defaultOptions: { registry: 'ghcr.io' },
        optionsSchema: async () => { throw new Error('the schema must not load'); },
      };`,
    });
    const [loaded] = await loadFrom(dir);
    expect(loaded?.options).toEqual({ registry: 'ghcr.io' });
  });

  it('names the plugin when its options schema loader throws', async () => {
    const dir = await folderWith({
      '.stigmerrc': 'plugins: [[./schema-throws.mjs, {a: 1}]]\n',
      'schema-throws.mjs': `export default {
        name: 'schema-throws', version: '1.0.0', apiVersion: '1.0', apply() {},
        optionsSchema: async () => { throw new Error('cannot load my schema'); },
      };`,
    });
    await expect(loadFrom(dir)).rejects.toMatchObject({
      code: 'PLUGIN_INVALID',
      message: expect.stringContaining(
        'is broken: its options schema failed to load or to run: cannot load my schema.',
      ),
    });
  });
});

describe('a first-party plugin installed beside the config', () => {
  /** The host's bundled copy: a plugin that says it is the bundled one. */
  const builtins = {
    '@stigmer/plugin-ghcr': async () => ({
      default: { name: 'stigmer:ghcr', version: '0.3.0', apiVersion: '1.0', apply() {} },
    }),
  };
  const installed = (version: string) => ({
    '.stigmerrc': 'plugins: [ghcr]\n',
    'node_modules/@stigmer/plugin-ghcr/package.json': JSON.stringify({
      name: '@stigmer/plugin-ghcr',
      version,
      type: 'module',
      exports: './index.js',
    }),
    'node_modules/@stigmer/plugin-ghcr/index.js': pluginSource('installed-ghcr'),
  });
  const load = (dir: string) =>
    loadPlugins([{ specifier: 'ghcr', options: {}, index: 0 }], {
      fromDir: dir,
      origin: path.join(dir, '.stigmerrc'),
      validateOptions: true,
      searchInstalled: true,
      builtins,
      builtinVersion: '0.3.0',
    });

  it('runs as the bundled copy when the installed package has the bundled version', async () => {
    const dir = await folderWith(installed('0.3.0'));
    const [loaded] = await load(dir);
    expect(loaded?.plugin.name).toBe('stigmer:ghcr');
    expect(loaded).toMatchObject({
      loadedFrom: 'builtin:@stigmer/plugin-ghcr',
      installed: {
        name: '@stigmer/plugin-ghcr',
        version: '0.3.0',
        dir: path.join(dir, 'node_modules/@stigmer/plugin-ghcr'),
      },
    });
  });

  it('is found in a node_modules above the config folder, as Node would find it', async () => {
    const dir = await folderWith({ ...installed('0.3.0'), 'sub/.stigmerrc': 'plugins: [ghcr]\n' });
    const [loaded] = await load(path.join(dir, 'sub'));
    expect(loaded).toMatchObject({
      loadedFrom: 'builtin:@stigmer/plugin-ghcr',
      installed: { dir: path.join(dir, 'node_modules/@stigmer/plugin-ghcr') },
    });
  });

  it('runs from node_modules when the installed package has another version, and records which', async () => {
    const dir = await folderWith(installed('0.4.0'));
    const [loaded] = await load(dir);
    expect(loaded?.plugin.name).toBe('installed-ghcr');
    expect(loaded).toMatchObject({
      loadedFrom: pathToFileURL(path.join(dir, 'node_modules/@stigmer/plugin-ghcr/index.js')).href,
      installed: { version: '0.4.0' },
    });
    expect(versionMismatches(loaded ? [loaded] : [], '0.3.0', 'stigmer 0.3.0')).toEqual([
      {
        plugin: 'installed-ghcr',
        installed: loaded?.installed,
        key: '@stigmer/plugin-ghcr@0.4.0 with stigmer 0.3.0 bundling 0.3.0',
        message: expect.stringContaining(
          `@stigmer/plugin-ghcr 0.4.0 is installed in ${path.join(dir, 'node_modules/@stigmer/plugin-ghcr')}, and stigmer 0.3.0 bundles 0.3.0`,
        ),
      },
    ]);
  });

  it('uses the bundled copy, recording nothing installed, when the package is not installed', async () => {
    const dir = await folderWith({ '.stigmerrc': 'plugins: [ghcr]\n' });
    const [loaded] = await load(dir);
    expect(loaded?.loadedFrom).toBe('builtin:@stigmer/plugin-ghcr');
    expect(loaded?.installed).toBeUndefined();
  });
});

describe('an installed package that lies', () => {
  it('with a damaged package.json fails as PLUGIN_INVALID naming the plugin, the file and the fix', async () => {
    const dir = await folderWith({
      '.stigmerrc': 'plugins: [foo]\n',
      'node_modules/stigmer-plugin-foo/package.json': '{not json',
    });
    const error = await loadFrom(dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PLUGIN_INVALID' });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Plugin "foo" \\(plugins\\[0\\] in ${path.join(dir, '.stigmerrc')}\\): the stigmer-plugin-foo installed for ${dir} cannot be loaded: .*${path.join(dir, 'node_modules/stigmer-plugin-foo/package.json')}.*\\. Reinstall it \\(npm install --save-dev stigmer-plugin-foo\\) or remove it\\.$`,
      ),
    );
  });
});
