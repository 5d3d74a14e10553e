import type { FaultCase } from '../fault-case.js';

/** A runner that prints (its API key among it) and exits with 3 after `delay`. */
const crashing = (delay: string): FaultCase => ({
  name: `a container that exits ${delay === '0' ? 'at once' : `after ${delay}s`}: exit 12 every time, its output quoted (key masked), kept stopped for server logs`,
  fault: 'readiness',
  keeps: 'stopped container',
  fixture: () => ({
    agentRunner: {
      command: ['sh', '-c', `echo "runner failed, key=$ANTHROPIC_API_KEY"; sleep ${delay}; exit 3`],
    },
    // The default settle time, not the quick one the server tests use.
    server: { settleTime: '3s' },
  }),
  runs: [
    {
      args: ['server', 'start'],
      exit: 12,
      says: [
        (w) => `The agent-runner container ${w.fixture.name} did not start:`,
        '  | runner failed, key=***',
        'The stopped container is kept so you can look',
      ],
      hides: [(w) => w.fixture.canary],
    },
    {
      args: ['server', 'logs'],
      exit: 0,
      says: ['runner failed, key=***'],
      hides: [(w) => w.fixture.canary],
    },
  ],
});

/** Readiness that cannot lie: crashes at once, soon, or within the settle time are failures, always. */
export const readinessCases: FaultCase[] = [crashing('0'), crashing('0.3'), crashing('2')];
