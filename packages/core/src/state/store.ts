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

  /** The remembered state, or `undefined` when there is none or it is unreadable. */
  async read(): Promise<ServerState | undefined> {
    let raw: string;
    try {
      raw = await readFile(this.stateFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#error('read', error);
    }
    try {
      const value = JSON.parse(raw) as Partial<ServerState>;
      return typeof value.containerId === 'string' && typeof value.containerName === 'string'
        ? (value as ServerState)
        : undefined;
    } catch {
      // A torn or hand-edited file: the engine still knows the container.
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
