import { harness } from '../../harness/context.js';
import type { FaultCase, World } from '../fault-case.js';
import { engineHolds, engineSaw } from './wait.js';

/** Pulls that fail fast: one retry, a short backoff, a 2 s stall watchdog. */
export const FAST_PULL = { pull: { retries: 1, retryDelay: '100ms', stallTimeout: '2s' } };

/** Runs see an engine that answers /version and then nothing. */
async function wedgedEngine(w: World): Promise<void> {
  const engine = await w.engineProxy();
  engine.wedge();
  w.env.DOCKER_HOST = engine.host;
}

/** The engine is missing, dies, wedges or garbles its answers. */
export const engineCases: FaultCase[] = [
  {
    name: 'no engine at all: exit 69 with the original first line, no lock taken',
    fault: 'engine',
    setup: async (w) => {
      w.env.DOCKER_HOST = `unix://${w.file('no-engine.sock')}`;
    },
    runs: [
      {
        args: ['server', 'start'],
        exit: 69,
        says: ['Docker is not running. Agent-runner requires Docker.', 'no socket file there'],
      },
    ],
  },
  {
    name: 'the engine dies mid-pull: exit 69 naming it, no tag, no container, no lock',
    fault: 'engine',
    fixture: async (w) => {
      const stalling = await w.stalling();
      w.pulled.push(`${stalling.host}/stigmer/agent-runner:stall`);
      return { localImage: false, ghcr: { registry: stalling.host, tag: 'stall' }, config: FAST_PULL };
    },
    setup: async (w) => {
      const engine = await w.engineProxy();
      void engine.dieWhen(/\/images\/create$/);
      w.env.DOCKER_HOST = engine.host;
    },
    runs: [
      {
        args: ['server', 'start'],
        exit: 69,
        says: ['Docker is not running. Agent-runner requires Docker.', /engine\.sock \(DOCKER_HOST\)/],
      },
    ],
  },
  {
    name: 'a wedged engine (answers /version, then nothing): exit 69 after engine.timeout, naming the call',
    fault: 'engine',
    setup: wedgedEngine,
    runs: [
      {
        args: ['server', 'start'],
        env: { STIGMER_ENGINE_TIMEOUT: '2s' },
        exit: 69,
        says: [/did not answer within 2s when stigmer tried to (inspect|list) /, '"engine.timeout"'],
        hangMs: 15_000,
      },
    ],
  },
  ...(['SIGINT', 'SIGTERM'] as const).map(
    (signal): FaultCase => ({
      name: `a wedged engine and ${signal} (engine.timeout at its 30s default): ends at once, ${signal === 'SIGINT' ? 130 : 143}, no lock left`,
      fault: 'engine',
      setup: wedgedEngine,
      runs: [
        {
          args: ['server', 'start'],
          exit: signal === 'SIGINT' ? 130 : 143,
          interrupt: [{ signal, when: engineSaw(/\/json/) }],
          says: [`Interrupted by ${signal}.`],
          hangMs: 8_000,
        },
      ],
    }),
  ),
  {
    name: 'an engine whose answers are not JSON: exit 74 quoting what came, no stack trace',
    fault: 'engine',
    setup: async (w) => {
      const engine = await w.engineProxy();
      engine.garble(/^(\/v[\d.]+)?\/containers\//, '{"Id": "0123", broken');
      w.env.DOCKER_HOST = engine.host;
    },
    runs: [
      {
        args: ['server', 'status'],
        exit: 74,
        says: ['it answered with text that is not JSON ("{"Id": "0123", broken")'],
      },
    ],
  },
  {
    name: 'the engine wedges after the container started; Ctrl-C, then a second Ctrl-C during clean-up ends it at once; the next command recovers',
    fault: 'engine',
    fixture: () => ({ server: { settleTime: '20s' } }),
    setup: async (w) => {
      const engine = await w.engineProxy();
      engine.wedgeAfter(/\/containers\/[0-9a-f]+\/start$/);
      w.env.DOCKER_HOST = engine.host;
    },
    runs: () => [
      {
        args: ['server', 'start'],
        exit: 'SIGINT',
        interrupt: [
          { signal: 'SIGINT', when: engineHolds },
          // The clean-up now waits on the wedged engine (up to engine.timeout): the second one must not.
          { signal: 'SIGINT', when: 1_000 },
        ],
        hangMs: 8_000,
      },
      // Like after kill -9: the next command takes over the dead lock and removes the container.
      {
        args: ['server', 'stop'],
        env: { DOCKER_HOST: harness().dockerHost },
        exit: 0,
        says: ['stopped and removed'],
      },
    ],
  },
];
