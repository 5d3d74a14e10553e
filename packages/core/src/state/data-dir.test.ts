import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDirFor, ensureDataDir } from './data-dir.js';
import { StateStore } from './store.js';

describe('the data folder', () => {
  it('is ~/.stigmer/data unless configured; ~ and relative paths are expanded', () => {
    expect(dataDirFor(undefined, { HOME: '/home/u' }, '/cwd')).toBe('/home/u/.stigmer/data');
    expect(dataDirFor('~/elsewhere', { HOME: '/home/u' }, '/cwd')).toBe('/home/u/elsewhere');
    expect(dataDirFor('rel/data', { HOME: '/home/u' }, '/cwd')).toBe('/cwd/rel/data');
    expect(dataDirFor('/abs', { HOME: '/home/u' }, '/cwd')).toBe('/abs');
  });

  it('is created with mode 0700, parents it creates included, whatever the umask', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'stigmer-dd-'));
    const dir = path.join(root, '.stigmer', 'data');
    const old = process.umask(0o022);
    try {
      await ensureDataDir(dir);
    } finally {
      process.umask(old);
    }
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.dirname(dir))).mode & 0o777).toBe(0o700);
  });

  it('fails with STATE_FAILED and what to do when it cannot be created', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'stigmer-dd-'));
    await writeFile(path.join(root, 'file'), '');
    await expect(ensureDataDir(path.join(root, 'file', 'data'))).rejects.toMatchObject({
      code: 'STATE_FAILED',
      message: expect.stringContaining('Set STIGMER_DATA_DIR'),
    });
  });

  it('keeps state readable by its owner only, and treats a torn state file as no state', async () => {
    const store = new StateStore(path.join(await mkdtemp(path.join(tmpdir(), 'stigmer-dd-')), 'data'));
    await store.ensure();
    expect(await store.read()).toBeUndefined();
    const state = {
      containerId: 'c',
      containerName: 'n',
      imageReference: 'r',
      imageId: 'i',
      imageDigest: undefined,
      specHash: 'h',
      cliVersion: 'v',
      startedAt: 's',
    };
    await store.write(state);
    expect((await stat(store.stateFile)).mode & 0o777).toBe(0o600);
    expect(await store.read()).toMatchObject({ containerId: 'c' });
    await writeFile(store.stateFile, '{"containerId":');
    expect(await store.read()).toBeUndefined();
    await store.clear();
    await store.clear();
    expect(await store.read()).toBeUndefined();
  });
});
