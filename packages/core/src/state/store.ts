import { randomUUID } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StateError } from '../errors.js';
import { ensureDataDir } from './data-dir.js';
import { type AcquireOptions, acquireLock, type HeldLock, type LockHolder, lockHolder } from './lock.js';

/**
 * What stigmer remembers about the container it started. A cache, not the
 * truth: the container is always looked up in the engine (by id, name and
 * labels), so a missing or stale file loses nothing. Never holds secrets.
 */
export interface ServerState {
  containerId: string;
  containerName: string;
  imageReference: string;
  imageId: string;
  imageDigest: string | undefined;
  /** Hash of the effective container spec without secret values (the `org.stigmer.spec-hash` label). */
  specHash: string;
  cliVersion: string;
  startedAt: string;
}

const STATE_FILE = 'agent-runner.json';

// What the engine gives as ids and accepts as names: anything else would change a request's path.
const CONTAINER_ID = /^[0-9a-f]{12,64}$/;
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The state when its container id and name are ones the engine could have given; else `undefined`. */
function validState(value: unknown): ServerState | undefined {
  const state = value as Partial<ServerState> | null;
  if (typeof state?.containerId !== 'string' || !CONTAINER_ID.test(state.containerId)) return undefined;
  if (typeof state.containerName !== 'string' || !CONTAINER_NAME.test(state.containerName)) return undefined;
  return state as ServerState;
}
const LOCK_FILE = 'server.lock';

/**
 * The one owner of stigmer's files in the data folder: the state file and the
 * lock. Nothing else reads or writes them, so there is one name for each.
 */
export class StateStore {
  constructor(readonly dataDir: string) {}

  get stateFile(): string {
    return path.join(this.dataDir, STATE_FILE);
  }

  get lockFile(): string {
    return path.join(this.dataDir, LOCK_FILE);
  }

  /** Creates the data folder (0700) if needed. */
  ensure(): Promise<void> {
    return ensureDataDir(this.dataDir);
  }

  /**
   * The remembered state, or `undefined` when there is none, or it cannot be
   * read or used: it is a cache, and a torn, hand-edited or unreadable file
   * must never break a command (the engine still knows the container).
   */
  async read(): Promise<ServerState | undefined> {
    let raw: string;
    try {
      raw = await readFile(this.stateFile, 'utf8');
    } catch {
      return undefined;
    }
    try {
      return validState(JSON.parse(raw));
    } catch {
      return undefined;
    }
  }

  /** Replaces the state atomically (write aside, then rename), readable by the owner only. */
  async write(state: ServerState): Promise<void> {
    const temporary = `${this.stateFile}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      await rename(temporary, this.stateFile);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw this.#error('write', error);
    }
  }

  /** Forgets the state; nothing to forget is fine. */
  async clear(): Promise<void> {
    try {
      await unlink(this.stateFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw this.#error('delete', error);
    }
  }

  /** Takes the lifecycle lock (creating the data folder first), waiting for another holder. */
  async lock(options: AcquireOptions): Promise<HeldLock> {
    await this.ensure();
    return acquireLock(this.lockFile, options);
  }

  /** The live process holding the lock, if any. */
  holder(): Promise<LockHolder | undefined> {
    return lockHolder(this.lockFile);
  }

  #error(verb: string, error: unknown): StateError {
    return new StateError(
      'STATE_FAILED',
      `Cannot ${verb} ${this.stateFile}: ${(error as Error).message}. Check that the data folder is writable (STIGMER_DATA_DIR).`,
      { cause: error, details: { stateFile: this.stateFile } },
    );
  }
}
