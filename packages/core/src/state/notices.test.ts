import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderWith } from '../test-support/folder.js';
import { firstTime } from './notices.js';

describe('notes shown once per data folder', () => {
  it('is true the first time a key is asked about, false afterwards, per key', async () => {
    const dataDir = path.join(await folderWith({}), 'data');
    expect(await firstTime(dataDir, 'a')).toBe(true);
    expect(await firstTime(dataDir, 'a')).toBe(false);
    expect(await firstTime(dataDir, 'b')).toBe(true);
    expect(Object.keys(JSON.parse(await readFile(path.join(dataDir, 'notices.json'), 'utf8')))).toEqual([
      'a',
      'b',
    ]);
  });

  it('starts afresh from a damaged record rather than failing', async () => {
    const dataDir = await folderWith({ 'notices.json': '{not json' });
    expect(await firstTime(dataDir, 'a')).toBe(true);
    expect(await firstTime(dataDir, 'a')).toBe(false);
  });

  it('shows the note, and returns, when the data folder cannot be made (under /proc, where mkdir -p never returns)', async () => {
    expect(await firstTime('/proc/stigmer-nope/data', 'a')).toBe(true);
    expect(await firstTime('/proc/stigmer-nope/data', 'a')).toBe(true);
  });

  it('shows the note every time when the record cannot be written, and never fails', async () => {
    const dataDir = await folderWith({});
    await chmod(dataDir, 0o500);
    try {
      // root ignores the mode; what matters is that the call resolves either way.
      expect(await firstTime(dataDir, 'a')).toBe(true);
    } finally {
      await chmod(dataDir, 0o700);
    }
  });
});
