import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
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

  it('never lies relative to the current folder: an empty or relative HOME gives way to the account home', () => {
    for (const HOME of ['', 'relative/home']) {
      const dir = dataDirFor(undefined, { HOME }, '/cwd');
      expect(path.isAbsolute(dir)).toBe(true);
      expect(dir.startsWith('/cwd')).toBe(false);
      expect(dir).toBe(path.join(userInfo().homedir, '.stigmer', 'data'));
    }
  });

  it('fails fast with STATE_FAILED where a parent refuses to be created (/proc), instead of looping', async () => {
    await expect(ensureDataDir('/proc/nope/d')).rejects.toMatchObject({
      code: 'STATE_FAILED',
      message: expect.stringContaining('Cannot create the stigmer data folder /proc/nope/d'),
    });
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
      containerId: 'c0ffee0123456789',
      containerName: 'n1',
      imageReference: 'r',
      imageId: 'i',
      imageDigest: undefined,
      specHash: 'h',
      cliVersion: 'v',
      startedAt: 's',
    };
    await store.write(state);
    expect((await stat(store.stateFile)).mode & 0o777).toBe(0o600);
    expect(await store.read()).toMatchObject({ containerId: 'c0ffee0123456789' });
    await writeFile(store.stateFile, '{"containerId":');
    expect(await store.read()).toBeUndefined();
    await store.clear();
    await store.clear();
    expect(await store.read()).toBeUndefined();
  });

  it('ignores a state whose container id or name could change a request path (the state is a cache)', async () => {
    const store = new StateStore(path.join(await mkdtemp(path.join(tmpdir(), 'stigmer-dd-')), 'data'));
    await store.ensure();
    for (const [containerId, containerName] of [
      ['', 'n1'],
      ['../../images/json?x=', 'n1'],
      ['c0ffee0123456789', '../x'],
      ['C0FFEE', 'n1'],
    ]) {
      await writeFile(store.stateFile, JSON.stringify({ containerId, containerName }));
      expect(await store.read()).toBeUndefined();
    }
  });
});
