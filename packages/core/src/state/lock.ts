import { randomUUID } from 'node:crypto';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError, StateError } from '../errors.js';
import { currentProcess, isAlive, type ProcessIdentity } from './process-identity.js';

/** What a lock file holds: who took it, for what, and a token that only its owner knows. */
export interface LockHolder extends ProcessIdentity {
  /** The command that holds it, e.g. `server start`. */
  command: string;
  acquiredAt: string;
  token: string;
}

/** A lock this process holds. */
export interface HeldLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Deletes the lock file if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  command: string;
  signal?: AbortSignal | undefined;
  /** Called once when another live process holds the lock and we start waiting. */
  onWait?: ((holder: LockHolder | undefined) => void) | undefined;
  /** How often to look again while waiting. Default 100 ms. */
  pollMs?: number;
}

/** A lock file that exists but is still empty is being written; after this long, its writer died. */
const UNWRITTEN_GRACE_MS = 5_000;
/** The takeover guard is held for microseconds; one this old belongs to a killed process. */
const GUARD_STALE_MS = 10_000;

/**
 * Takes the lock at `file`, waiting while another live process holds it.
 *
 * The lock is a file created with O_EXCL holding the holder's pid, process
 * start time and host. A process killed with SIGKILL cannot delete it, so a
 * lock whose holder no longer runs is stale and is taken over. Two processes
 * that find the same stale lock must not both take it over: whoever creates
 * the `.takeover` guard (O_EXCL again) removes the stale file, and only if it
 * still holds the content judged stale; the others wait and retry.
 */
export async function acquireLock(file: string, options: AcquireOptions): Promise<HeldLock> {
  const { signal } = options;
  const holder: LockHolder = {
    ...currentProcess(),
    command: options.command,
    acquiredAt: new Date().toISOString(),
    token: randomUUID(),
  };
  const content = `${JSON.stringify(holder)}\n`;
  let told = false;
  for (;;) {
    if (signal?.aborted) throw interruption(signal);
    try {
      await writeFile(file, content, { flag: 'wx', mode: 0o600 });
      return heldLock(file, holder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(file, error);
    }
    const current = await readLock(file);
    if (current === undefined) continue; // released meanwhile
    if (isStale(current)) {
      await removeStale(file, current.raw);
      continue;
    }
    if (!told) {
      told = true;
      options.onWait?.(current.holder);
    }
    try {
      await sleep(options.pollMs ?? 100, undefined, signal ? { signal } : {});
    } catch {
      throw interruption(signal as AbortSignal);
    }
  }
}

/** Who holds the lock at `file` now, or `undefined`. For status output. */
export async function lockHolder(file: string): Promise<LockHolder | undefined> {
  const current = await readLock(file);
  return current && !isStale(current) ? current.holder : undefined;
}

interface LockFile {
  raw: string;
  holder: LockHolder | undefined;
  ageMs: number;
}

async function readLock(file: string): Promise<LockFile | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { raw, holder: parseHolder(raw), ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw lockError(file, error);
  }
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.token !== 'string' || typeof value.host !== 'string')
      return undefined;
    return value as LockHolder;
  } catch {
    return undefined;
  }
}

function isStale(lock: LockFile): boolean {
  if (lock.holder === undefined) return lock.ageMs > UNWRITTEN_GRACE_MS;
  return !isAlive(lock.holder);
}

async function removeStale(file: string, staleContent: string): Promise<void> {
  const guard = `${file}.takeover`;
  try {
    await writeFile(guard, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(guard, error);
    // Someone else is taking over; clear a guard left by a killed process, then retry.
    const age = await stat(guard).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    if (age > GUARD_STALE_MS) await unlink(guard).catch(() => {});
    else await sleep(10);
    return;
  }
  try {
    const now = await readFile(file, 'utf8').catch(() => undefined);
    if (now === staleContent) await unlink(file).catch(() => {});
  } finally {
    await unlink(guard).catch(() => {});
  }
}

function heldLock(file: string, holder: LockHolder): HeldLock {
  let released = false;
  return {
    path: file,
    holder,
    async release() {
      if (released) return;
      released = true;
      const current = await readLock(file).catch(() => undefined);
      if (current?.holder?.token === holder.token) await unlink(file).catch(() => {});
    },
  };
}

function interruption(signal: AbortSignal): InterruptedError {
  return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('SIGINT');
}

function lockError(file: string, error: unknown): StateError {
  return new StateError(
    'STATE_FAILED',
    `Cannot use the lock file ${file}: ${(error as Error).message}. Check that the data folder is writable (STIGMER_DATA_DIR).`,
    { cause: error, details: { lockFile: file } },
  );
}
