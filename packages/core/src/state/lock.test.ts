import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../errors.js';
import { acquireLock, lockHolder } from './lock.js';
import { currentProcess, isAlive } from './process-identity.js';

const tempLock = async () => path.join(await mkdtemp(path.join(tmpdir(), 'stigmer-lock-')), 'server.lock');

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid as number;
}

describe('the lifecycle lock', () => {
  it('is exclusive: a second taker waits until the first releases, and is told who holds it', async () => {
    const file = await tempLock();
    const first = await acquireLock(file, { command: 'server start' });
    expect((await lockHolder(file))?.pid).toBe(process.pid);
    let waitedFor: unknown;
    let acquired = false;
    const second = acquireLock(file, {
      command: 'server stop',
      pollMs: 10,
      onWait: (h) => (waitedFor = h),
    }).then((lock) => {
      acquired = true;
      return lock;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(acquired).toBe(false);
    expect(waitedFor).toMatchObject({ pid: process.pid, command: 'server start' });
    await first.release();
    const lock = await second;
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ command: 'server stop' });
    await lock.release();
    expect(await lockHolder(file)).toBeUndefined();
  });

  it('notices a release through the folder watch, not the poll: with an hour between looks, the waiter still gets it', async () => {
    const file = await tempLock();
    const first = await acquireLock(file, { command: 'server start' });
    let waiting: () => void = () => {};
    const told = new Promise<void>((resolve) => (waiting = resolve));
    const second = acquireLock(file, { command: 'server stop', pollMs: 3_600_000, onWait: () => waiting() });
    await told;
    await first.release();
    const lock = await second;
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ command: 'server stop' });
    await lock.release();
  });

  it('takes over a lock whose holder no longer runs (killed with SIGKILL)', async () => {
    const file = await tempLock();
    const stale = {
      ...currentProcess(),
      pid: await deadPid(),
      command: 'server start',
      acquiredAt: '',
      token: 'old',
    };
    await writeFile(file, JSON.stringify(stale));
    expect(isAlive(stale)).toBe(false);
    const lock = await acquireLock(file, { command: 'server start' });
    expect(lock.holder.pid).toBe(process.pid);
    await lock.release();
  });

  it('counts a reused pid with another start time as gone', () => {
    const me = currentProcess();
    expect(isAlive(me)).toBe(true);
    if (me.startTime !== undefined) expect(isAlive({ ...me, startTime: '1' })).toBe(false);
  });

  it('lets exactly one of many concurrent takers hold a stale lock at a time', async () => {
    const file = await tempLock();
    await writeFile(
      file,
      JSON.stringify({ ...currentProcess(), pid: await deadPid(), command: 'x', acquiredAt: '', token: 't' }),
    );
    let holders = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const lock = await acquireLock(file, { command: 'server start', pollMs: 5 });
        holders++;
        most = Math.max(most, holders);
        await new Promise((r) => setTimeout(r, 5));
        holders--;
        await lock.release();
      }),
    );
    expect(most).toBe(1);
  });

  it('stops waiting with InterruptedError when the signal aborts', async () => {
    const file = await tempLock();
    const held = await acquireLock(file, { command: 'server start' });
    const controller = new AbortController();
    const waiting = acquireLock(file, { command: 'server start', signal: controller.signal, pollMs: 10 });
    controller.abort(new InterruptedError('SIGTERM'));
    await expect(waiting).rejects.toMatchObject({ code: 'INTERRUPTED', signal: 'SIGTERM' });
    await held.release();
  });

  it('does not delete a lock that another process took after ours was taken over', async () => {
    const file = await tempLock();
    const lock = await acquireLock(file, { command: 'server start' });
    await writeFile(
      file,
      JSON.stringify({ ...currentProcess(), command: 'other', acquiredAt: '', token: 'theirs' }),
    );
    await lock.release();
    expect(JSON.parse(await readFile(file, 'utf8')).token).toBe('theirs');
  });
});

describe('malformed lock files', () => {
  const malformed = (pid: unknown) => ({ pid, host: currentProcess().host });

  it.each([
    ['pid 0', malformed(0)],
    ['pid -1', malformed(-1)],
    ['pid 1 with no start time or command', malformed(1)],
    ['pid 1.5', malformed(1.5)],
    ['a pid that is text', { ...currentProcess(), pid: '42', command: 'x', acquiredAt: '', token: 't' }],
    [
      'pid 0 with every other field',
      { ...currentProcess(), pid: 0, command: 'x', acquiredAt: '', token: 't' },
    ],
  ])('are stale at once, whatever their age: %s', async (_, content) => {
    const file = await tempLock();
    await writeFile(file, JSON.stringify(content));
    let waited = false;
    const lock = await acquireLock(file, { command: 'server start', onWait: () => (waited = true) });
    expect(waited).toBe(false);
    expect(lock.holder.pid).toBe(process.pid);
    await lock.release();
  });

  it('refuses a lock that is a dangling symbolic link, naming the file to delete', async () => {
    const file = await tempLock();
    await symlink(path.join(path.dirname(file), 'nowhere'), file);
    await expect(acquireLock(file, { command: 'server start' })).rejects.toMatchObject({
      code: 'STATE_FAILED',
      message: expect.stringContaining(`${file} is a symbolic link, not a lock file stigmer wrote`),
    });
    await expect(acquireLock(file, { command: 'x' })).rejects.toThrow(`rm -r "${file}"`);
  });

  it('refuses a takeover guard that is a folder, naming it, instead of spinning', async () => {
    const file = await tempLock();
    await writeFile(
      file,
      JSON.stringify({ ...currentProcess(), pid: await deadPid(), command: 'x', acquiredAt: '', token: 't' }),
    );
    await mkdir(`${file}.takeover`);
    await expect(acquireLock(file, { command: 'server start' })).rejects.toMatchObject({
      code: 'STATE_FAILED',
      message: expect.stringContaining(`${file}.takeover is a folder, not a lock file stigmer wrote`),
    });
  });

  it('does not report a malformed lock as held to status', async () => {
    const file = await tempLock();
    await writeFile(file, JSON.stringify(malformed(1)));
    expect(await lockHolder(file)).toBeUndefined();
  });
});
