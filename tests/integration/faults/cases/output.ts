import type { FaultCase } from '../fault-case.js';

/** `$STIGMER ARGS | head -1`, exiting with stigmer's own status. */
const headOne = (args: string) => `$STIGMER ${args} | head -1; exit "\${PIPESTATUS[0]}"`;

/** A closed stdout, and a container that belongs to someone else. */
export const outputCases: FaultCase[] = [
  {
    name: 'server logs --no-follow | head -1 and server logs | head -1 (following): the first line, then a quiet exit 0',
    fault: 'output',
    fixture: () => ({
      // Far more than a pipe holds, so stigmer is still writing when head leaves.
      agentRunner: { command: ['sh', '-c', 'seq 1 200000; while :; do sleep 1; done'] },
    }),
    runs: [
      { args: ['server', 'start'], exit: 0 },
      {
        args: [],
        shell: `until [ "$($STIGMER server logs --no-follow -n 1)" = 200000 ]; do sleep 0.2; done; ${headOne('server logs --no-follow -n all')}`,
        exit: 0,
        check: (_, [run]) => {
          if (run?.stdout !== '1\n' || run.stderr !== '')
            throw new Error('not the first line alone, quietly');
        },
      },
      {
        args: [],
        shell: headOne('server logs -n all'),
        exit: 0,
        check: (_, [run]) => {
          if (run?.stdout !== '1\n' || run.stderr !== '')
            throw new Error('not the first line alone, quietly');
        },
      },
      { args: ['server', 'stop'], exit: 0 },
    ],
  },
  ...['config print', 'config print --json', 'plugins list', 'server status --json', '--help'].map(
    (args): FaultCase => ({
      name: `stigmer ${args} | head -1: a quiet exit 0`,
      fault: 'output',
      runs: [
        {
          args: [],
          shell: headOne(args),
          exit: 0,
          check: (_, [run]) => {
            if (run?.stderr !== '') throw new Error(`it printed on stderr: ${run?.stderr}`);
          },
        },
      ],
    }),
  ),
  {
    name: 'server status of a container started for another data folder: it says so',
    fault: 'output',
    runs: (w) => {
      const other = { STIGMER_DATA_DIR: `${w.fixture.dataDir}-other` };
      return [
        { args: ['server', 'start'], env: other, exit: 0 },
        {
          args: ['server', 'status'],
          exit: 0,
          says: [
            `  data folder: ${other.STIGMER_DATA_DIR}`,
            `this container belongs to that other data folder, not to yours (${w.fixture.dataDir})`,
          ],
        },
        {
          args: ['server', 'status', '--json'],
          exit: 0,
          says: [`"otherDataDir": "${other.STIGMER_DATA_DIR}"`],
        },
        { args: ['server', 'stop'], env: other, exit: 0, says: ['stopped and removed'] },
      ];
    },
  },
];
