import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderWith } from '../test-support/folder.js';
import { readConfigFile } from './load.js';
import { plainRead } from './plain-read.js';

/**
 * plainRead must be invisible: for every layout below, readConfigFile gives
 * the same answer (or the same error) with it and through cosmiconfig alone.
 * `plain` says whether plainRead answers itself (else it leaves the file to cosmiconfig).
 */
const LAYOUTS: Array<{
  name: string;
  files: Record<string, string>;
  sub?: string;
  config?: string;
  plain: boolean;
}> = [
  { name: '.stigmerrc (YAML)', files: { '.stigmerrc': 'image:\n  localTag: a:b\n' }, plain: true },
  { name: '.stigmerrc (JSON)', files: { '.stigmerrc': '{"plugins": ["local-image"]}' }, plain: true },
  { name: '.stigmerrc.json', files: { '.stigmerrc.json': '{"image":{"localTag":"a:b"}}' }, plain: true },
  { name: '.stigmerrc.yaml', files: { '.stigmerrc.yaml': 'image: {localTag: "a:b"}' }, plain: true },
  { name: '.stigmerrc.yml', files: { '.stigmerrc.yml': 'offline: true' }, plain: true },
  { name: '.config/stigmerrc', files: { '.config/stigmerrc': 'offline: true' }, plain: true },
  {
    name: 'from a subfolder',
    files: { '.stigmerrc': 'offline: true', 'a/b/.keep': '' },
    sub: 'a/b',
    plain: true,
  },
  {
    name: 'a JSON file with a key twice',
    files: { '.stigmerrc.json': '{"offline":true,"offline":false}' },
    plain: true,
  },
  {
    name: '--config a YAML file',
    files: { 'conf/s.yaml': 'offline: true' },
    config: 'conf/s.yaml',
    plain: true,
  },
  { name: '--config a JSON file', files: { 's.json': '{"offline":true}' }, config: 's.json', plain: true },
  {
    name: '--config a file without extension',
    files: { 'conf/s': 'offline: true' },
    config: 'conf/s',
    plain: true,
  },
  {
    name: 'an empty .stigmerrc before a .stigmerrc.json',
    files: { '.stigmerrc': '  \n', '.stigmerrc.json': '{"offline":true}' },
    plain: false,
  },
  {
    name: 'a comment-only .stigmerrc',
    files: { '.stigmerrc': '# nothing\n', '.stigmerrc.yml': 'offline: true' },
    plain: false,
  },
  { name: 'a YAML list', files: { '.stigmerrc': '- a\n- b\n' }, plain: false },
  { name: 'a YAML scalar', files: { '.stigmerrc': 'just text' }, plain: false },
  { name: 'YAML with a key twice', files: { '.stigmerrc': 'offline: true\noffline: false\n' }, plain: false },
  { name: 'broken YAML', files: { '.stigmerrc': 'image: [\n' }, plain: false },
  { name: 'broken JSON', files: { '.stigmerrc.json': '{"offline": tru' }, plain: false },
  {
    name: '$import',
    files: { '.stigmerrc': '$import: other.yml\n', 'other.yml': 'offline: true\n' },
    plain: false,
  },
  {
    name: 'package.json with a stigmer key',
    files: { 'package.json': '{"stigmer":{"offline":true}}' },
    plain: false,
  },
  {
    name: 'a JavaScript config',
    files: { 'stigmer.config.cjs': 'module.exports = { offline: true };' },
    plain: false,
  },
  { name: '--config an empty file', files: { 's.yaml': '' }, config: 's.yaml', plain: false },
  { name: '--config a missing file', files: {}, config: 'nowhere.yaml', plain: false },
  { name: 'no config at all', files: {}, plain: false },
  { name: '--config a folder', files: { 'conf/x': '' }, config: 'conf', plain: false },
];

const emptyHome = await folderWith({}, 'stigmer-home-');

async function outcome(read: () => Promise<unknown>): Promise<unknown> {
  try {
    return { value: await read() };
  } catch (error) {
    return { error: (error as Error).message, code: (error as { code?: string }).code };
  }
}

describe('plainRead reads what cosmiconfig reads', () => {
  it.each(LAYOUTS)('$name', async (layout) => {
    const root = await folderWith({ 'package.json': '{"name":"p"}', ...layout.files }, 'stigmer-plain-');
    const cwd = path.join(root, layout.sub ?? '');
    const options = { cwd, env: { HOME: emptyHome }, configPath: layout.config };
    const plain = await outcome(() => readConfigFile(options));
    const cosmic = await outcome(() => readConfigFile({ ...options, plain: false }));
    expect(plain).toEqual(cosmic);
    const direct = await plainRead(cwd, { HOME: emptyHome }, layout.config).catch(() => undefined);
    expect(direct !== undefined).toBe(layout.plain);
  });

  it('reads a user-level config (home folder, user config folder) as cosmiconfig does, scope user', async () => {
    const layouts: Record<string, string>[] = [
      { '.stigmerrc': 'offline: true' },
      { '.config/stigmer/config.yaml': 'offline: true' },
    ];
    for (const files of layouts) {
      const home = await folderWith(files, 'stigmer-home-');
      const cwd = await folderWith({ 'package.json': '{"name":"p"}' }, 'stigmer-plain-');
      const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
      const plain = await readConfigFile({ cwd, env });
      expect(plain).toEqual(await readConfigFile({ cwd, env, plain: false }));
      expect(plain?.scope).toBe('user');
      expect(await plainRead(cwd, env, undefined)).toBeDefined();
    }
  });

  it('refuses --config naming a device, which would be read forever, without reading it', async () => {
    const cwd = await folderWith({ 'package.json': '{"name":"p"}' }, 'stigmer-plain-');
    await expect(
      readConfigFile({ cwd, env: { HOME: emptyHome }, configPath: '/dev/zero' }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('/dev/zero (from --config) is not a regular file'),
    });
  });

  it("leaves everything to cosmiconfig when a meta config in the process's folder can change its search", async () => {
    const root = await folderWith(
      { 'package.json': '{"name":"p"}', '.stigmerrc': 'offline: true' },
      'stigmer-plain-',
    );
    const metas: Record<string, string>[] = [
      { 'package.json': '{"cosmiconfig":{"searchPlaces":["x.yml"]}}' },
      { '.config/config.yaml': 'cosmiconfig: {}' },
      { 'package.yaml': 'name: x' },
    ];
    for (const meta of metas) {
      const metaFolder = await folderWith(meta, 'stigmer-meta-');
      expect(await plainRead(root, { HOME: emptyHome }, undefined, metaFolder)).toBeUndefined();
    }
    expect(await plainRead(root, { HOME: emptyHome }, undefined, emptyHome)).toBeDefined();
  });
});
