import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import type { FaultCase, World } from '../fault-case.js';

/** Writes `content` as the data folder's `name` (creating the folder). */
async function inDataDir(w: World, name: string, content: string): Promise<string> {
  await mkdir(w.fixture.dataDir, { recursive: true });
  const file = path.join(w.fixture.dataDir, name);
  await writeFile(file, content);
  return file;
}

const lockOf = (pid: unknown) => JSON.stringify({ pid, host: hostname() });

/** Lock, state and data-folder files that lie, and homes and folders that cannot be used. */
export const stateCases: FaultCase[] = [
  ...([0, -1, 1, 1.5] as const).map(
    (pid): FaultCase => ({
      name: `a lock holding pid ${pid} (and nothing else): stale, taken over at once`,
      fault: 'state',
      setup: async (w) => {
        await inDataDir(w, 'server.lock', lockOf(pid));
      },
      runs: [{ args: ['server', 'stop'], exit: 0, says: ['nothing to stop'], hangMs: 10_000 }],
    }),
  ),
  {
    name: 'a lock that is a dangling symbolic link: exit 73 naming the file to delete, no spin',
    fault: 'state',
    setup: async (w) => {
      await mkdir(w.fixture.dataDir, { recursive: true });
      await symlink(path.join(w.fixture.dataDir, 'nowhere'), path.join(w.fixture.dataDir, 'server.lock'));
    },
    runs: [
      {
        args: ['server', 'stop'],
        exit: 73,
        says: [
          (w) =>
            `${path.join(w.fixture.dataDir, 'server.lock')} is a symbolic link, not a lock file stigmer wrote`,
        ],
        hangMs: 10_000,
      },
    ],
  },
  {
    name: 'a stale lock and a leftover server.lock.takeover folder: exit 73 naming the folder to delete, no spin',
    fault: 'state',
    setup: async (w) => {
      // A pid that no longer runs: the lock is stale, so stigmer must go through the takeover guard.
      await inDataDir(
        w,
        'server.lock',
        JSON.stringify({
          pid: 2 ** 22 + 1,
          startTime: '1',
          host: hostname(),
          command: 'x',
          acquiredAt: '',
          token: 't',
        }),
      );
      await mkdir(path.join(w.fixture.dataDir, 'server.lock.takeover'));
    },
    runs: [
      {
        args: ['server', 'start'],
        exit: 73,
        says: [(w) => `${path.join(w.fixture.dataDir, 'server.lock.takeover')} is a folder`, 'delete it'],
        hangMs: 10_000,
      },
    ],
  },
  {
    name: 'STIGMER_DATA_DIR=/proc/nope/d: exit 73 at once, no spin',
    fault: 'state',
    runs: [
      {
        args: ['server', 'start'],
        env: { STIGMER_DATA_DIR: '/proc/nope/d' },
        exit: 73,
        says: ['Cannot create the stigmer data folder /proc/nope/d', 'Set STIGMER_DATA_DIR'],
        hangMs: 10_000,
      },
    ],
  },
  ...[
    ['an empty container id', ''],
    ['a path-like container id', '../../images/json?x='],
  ].map(
    ([what, containerId]): FaultCase => ({
      name: `a state file with ${what}: status, logs, start and stop all work (the state is a cache)`,
      fault: 'state',
      setup: async (w) => {
        await inDataDir(w, 'agent-runner.json', JSON.stringify({ containerId, containerName: 'x' }));
      },
      runs: [
        { args: ['server', 'status'], exit: 0, says: ['not running (no container)'] },
        { args: ['server', 'logs'], exit: 14, says: ['No agent-runner container to show logs of'] },
        { args: ['server', 'start'], exit: 0, says: ['Started'] },
        { args: ['server', 'stop'], exit: 0, says: ['stopped and removed'] },
      ],
    }),
  ),
  {
    name: "HOME='': the data folder is the account's home, never one relative to the current folder",
    fault: 'state',
    setup: async (w) => {
      // No data folder configured: the home decides.
      await w.write(
        '.stigmerrc',
        JSON.stringify({ image: { localTag: w.fixture.localTag }, plugins: ['local-image'] }),
      );
    },
    runs: [
      {
        args: ['server', 'status', '--json'],
        env: { HOME: '' },
        exit: 0,
        says: [`"dataDir": "${path.join(userInfo().homedir, '.stigmer', 'data')}"`],
      },
    ],
  },
];
