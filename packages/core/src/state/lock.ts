import { randomUUID } from 'node:crypto';
import { type Stats, watch } from 'node:fs';
import { access, lstat, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { interruption, StateError } from '../errors.js';
import { currentProcess, isAlive, type ProcessIdentity, processStartTime } from './process-identity.js';

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
  /**
   * How often to look again while waiting. Default 100 ms. A release is
   * noticed at once through a watch on the lock's folder; this is for a holder
   * that dies without releasing, and for folders that cannot be watched.
   */
  pollMs?: number;
}

/** A lock file that exists but is still empty is being written; after this long, its writer died. */
const UNWRITTEN_GRACE_MS = 5_000;
/** The takeover guard is held for microseconds; one this old belongs to a killed process. */
const GUARD_STALE_MS = 10_000;
/** Tries in a row without a pause (a lock that vanished, a takeover lost) before pausing anyway. */
const MAX_QUICK_TRIES = 20;

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
  let quickTries = 0;
  const pause = async () => {
    quickTries = 0;
    try {
      await sleep(options.pollMs ?? 100, undefined, signal ? { signal } : {});
    } catch {
      throw interruption(signal as AbortSignal);
    }
  };
  for (;;) {
    if (signal?.aborted) throw interruption(signal);
    try {
      await writeFile(file, content, { flag: 'wx', mode: 0o600 });
      return heldLock(file, holder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(file, error);
    }
    // Whatever happens next, this loop never spins: after a few quick tries it pauses.
    if (++quickTries > MAX_QUICK_TRIES) await pause();
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
    quickTries = 0;
    await releasedOrAfter(file, options.pollMs ?? 100, signal);
  }
}

/**
 * Resolves when the lock file is gone (watched through its folder, so a
 * release is noticed at once), or after `ms` whatever happened: a holder may
 * die without releasing, and some folders (network filesystems) report
 * nothing. Any event in the folder also resolves it: the caller looks again.
 */
function releasedOrAfter(file: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let watcher: ReturnType<typeof watch> | undefined;
    const done = (error?: Error) => {
      clearTimeout(timer);
      watcher?.close();
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => done(interruption(signal as AbortSignal));
    const timer = setTimeout(() => done(), ms);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      watcher = watch(path.dirname(file), { persistent: false }, (_event, name) => {
        if (name === null || name === path.basename(file)) done();
      });
      watcher.on('error', () => {});
    } catch {
      // Not watchable: the timer alone.
    }
    // Released between the last look and the watch: nothing would report it.
    access(file).catch(() => done());
  });
}

/** Who holds the lock at `file` now, or `undefined`. For status output. */
export async function lockHolder(file: string): Promise<LockHolder | undefined> {
  // Read-only callers (status) report what they can: a lock that cannot be read holds nothing for them.
  const current = await readLock(file).catch(() => undefined);
  return current && !isStale(current) ? current.holder : undefined;
}

interface LockFile {
  raw: string;
  holder: LockHolder | undefined;
  ageMs: number;
  /** Parses, but names no valid holder: stale at once, whatever its age. */
  malformed: boolean;
}

async function readLock(file: string): Promise<LockFile | undefined> {
  try {
    // lstat: a symbolic link (dangling or not) is no lock stigmer wrote, and is not followed.
    const info = await lstat(file);
    if (!info.isFile()) throw notALock(file, info);
    const raw = await readFile(file, 'utf8');
    return { raw, holder: parseHolder(raw), ageMs: Date.now() - info.mtimeMs, malformed: isMalformed(raw) };
  } catch (error) {
    if (error instanceof StateError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw lockError(file, error);
  }
}

/** The holder a lock file names, when every field is what stigmer writes. */
function parseHolder(raw: string): LockHolder | undefined {
  let value: Partial<LockHolder>;
  try {
    value = JSON.parse(raw) as Partial<LockHolder>;
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const { pid, token, host, command, acquiredAt, startTime } = value;
  // pid 0 and -1 would make the liveness check signal a whole process group or every process.
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid < 1) return undefined;
  if ([token, host, command, acquiredAt].some((field) => typeof field !== 'string')) return undefined;
  if (startTime !== undefined && typeof startTime !== 'string') return undefined;
  // Where the kernel tells start times, stigmer always records one: a lock without it is not ours.
  if (startTime === undefined && host === hostname() && processStartTime(process.pid) !== undefined)
    return undefined;
  return value as LockHolder;
}

/**
 * Complete JSON that names no valid holder: not a lock being written (that
 * is empty or cut short), but one that was never stigmer's or was edited.
 */
function isMalformed(raw: string): boolean {
  try {
    JSON.parse(raw);
  } catch {
    return false;
  }
  return parseHolder(raw) === undefined;
}

function isStale(lock: LockFile): boolean {
  if (lock.malformed) return true;
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
    const info = await lstat(guard).catch(() => undefined);
    if (info === undefined) return;
    if (!info.isFile()) throw notALock(guard, info);
    if (Date.now() - info.mtimeMs > GUARD_STALE_MS) {
      await unlink(guard).catch((unlinkError: NodeJS.ErrnoException) => {
        if (unlinkError.code !== 'ENOENT') throw lockError(guard, unlinkError);
      });
    } else await sleep(10);
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

/** A lock or guard path that holds something stigmer never writes there: it is the user's to remove. */
function notALock(file: string, info: Stats): StateError {
  const what = info.isSymbolicLink()
    ? 'a symbolic link'
    : info.isDirectory()
      ? 'a folder'
      : 'not a regular file';
  return new StateError(
    'STATE_FAILED',
    `${file} is ${what}, not a lock file stigmer wrote, so stigmer will not take it over. If no stigmer is running, delete it (rm -r ${JSON.stringify(file)}) and run the command again.`,
    { details: { lockFile: file } },
  );
}

function lockError(file: string, error: unknown): StateError {
  return new StateError(
    'STATE_FAILED',
    `Cannot use the lock file ${file}: ${(error as Error).message}. Check that the data folder is writable (STIGMER_DATA_DIR).`,
    { cause: error, details: { lockFile: file } },
  );
}
