import { harness, harnessDocker } from '../../harness/context.js';
import { serverImage } from '../../server/helpers.js';
import type { FaultCase } from '../fault-case.js';
import { FAST_PULL } from './engine.js';
import { fileAppears, midPull, midStart } from './wait.js';

const exitFor = (signal: 'SIGINT' | 'SIGTERM') => (signal === 'SIGINT' ? 130 : 143);

/** A start whose pull stalls at the layer: interrupt it there. */
const stalledStart = async (w: Parameters<NonNullable<FaultCase['fixture']>>[0]) => {
  const stalling = await w.stalling();
  w.pulled.push(`${stalling.host}/stigmer/agent-runner:stall`);
  return { localImage: false, ghcr: { registry: stalling.host, tag: 'stall' }, config: FAST_PULL };
};

/** A plugin that signals (a file) when its afterStop runs, then never finishes. */
const SLOW_AFTER_STOP = `import { writeFileSync } from 'node:fs';
export default {
  name: 'slow-after-stop',
  version: '1.0.0',
  apiVersion: '1.0',
  apply(hooks) {
    hooks.afterStop.tap(async () => {
      writeFileSync('after-stop-began', '');
      await new Promise(() => {});
    });
  },
};
`;

/** Ctrl-C and SIGTERM at awkward moments, kill -9, and many starts at once. */
export const signalCases: FaultCase[] = [
  ...(['SIGINT', 'SIGTERM'] as const).map(
    (signal): FaultCase => ({
      name: `${signal} mid-pull: the pull is aborted, exit ${exitFor(signal)}, no tag, container or lock`,
      fault: 'signal',
      fixture: stalledStart,
      runs: [
        {
          args: ['server', 'start'],
          exit: exitFor(signal),
          interrupt: [{ signal, when: midPull }],
          says: [`Interrupted by ${signal}.`],
          hangMs: 10_000,
        },
      ],
    }),
  ),
  ...(['SIGINT', 'SIGTERM'] as const).map(
    (signal): FaultCase => ({
      name: `${signal} mid-start (the container runs, not yet settled): it is removed, exit ${exitFor(signal)}, no lock`,
      fault: 'signal',
      fixture: () => ({ server: { settleTime: '30s' } }),
      runs: [
        {
          args: ['server', 'start'],
          exit: exitFor(signal),
          interrupt: [{ signal, when: midStart }],
          says: [`Interrupted by ${signal}.`],
          hangMs: 10_000,
        },
      ],
    }),
  ),
  {
    name: 'kill -9 mid-pull, then a rerun: it takes over the dead lock and starts',
    fault: 'signal',
    // The image arrives by other means meanwhile: the tag is the test's, not a leftover.
    pulls: true,
    fixture: stalledStart,
    runs: [
      {
        args: ['server', 'start'],
        exit: 'SIGKILL',
        interrupt: [{ signal: 'SIGKILL', when: midPull }],
        check: (w) => tagLocally(w.fixture.localTag),
      },
      { args: ['server', 'start', '--offline'], exit: 0, says: ['Started'] },
      { args: ['server', 'stop'], exit: 0, says: ['stopped and removed'] },
    ],
  },
  {
    name: 'eight concurrent starts: one pull, one container, all exit 0',
    fault: 'signal',
    pulls: true,
    fixture: (w) => {
      const registry = harness().openRegistry;
      w.pulled.push(`${registry}/stigmer/agent-runner:0.1.0`);
      return { localImage: false, ghcr: { registry, tag: '0.1.0' } };
    },
    runs: [
      {
        args: ['server', 'start', '--json'],
        times: 8,
        exit: 0,
        hangMs: 60_000,
        check: (_, results) => {
          const docs = results.map((r) => JSON.parse(r.stdout));
          const ids = new Set(docs.map((d) => d.container.id));
          if (ids.size !== 1) throw new Error(`${ids.size} containers, expected one`);
          const pulls = docs.filter((d) =>
            d.trace.some(
              (e: { hook: string; outcome: string; plugin: string }) =>
                e.hook === 'resolveImage' && e.outcome === 'resolved' && e.plugin === 'stigmer:ghcr',
            ),
          );
          if (pulls.length !== 1) throw new Error(`${pulls.length} runs pulled, expected one`);
        },
      },
      { args: ['server', 'stop'], exit: 0, says: ['stopped and removed'] },
    ],
  },
  {
    name: 'SIGINT during server stop, after the stop was done (a plugin afterStop runs on): exit 0, it says what it did',
    fault: 'signal',
    fixture: () => ({
      extraPlugins: ['./slow-after-stop.mjs'],
      files: { 'slow-after-stop.mjs': SLOW_AFTER_STOP },
    }),
    runs: [
      { args: ['server', 'start'], exit: 0 },
      {
        args: ['server', 'stop'],
        exit: 0,
        interrupt: [{ signal: 'SIGINT', when: fileAppears('after-stop-began') }],
        says: ['stopped and removed.', 'SIGINT arrived after the stop was done'],
        hangMs: 15_000,
      },
    ],
  },
  ...(['SIGINT', 'SIGTERM'] as const).map(
    (signal): FaultCase => ({
      name: `a plugin that loops forever at import: ${signal} still ends stigmer at once`,
      fault: 'signal',
      fixture: () => ({
        extraPlugins: ['./spin.mjs'],
        files: {
          'spin.mjs':
            "for (;;) {}\nexport default { name: 'spin', version: '1.0.0', apiVersion: '1.0', apply() {} };\n",
        },
      }),
      runs: [
        { args: ['server', 'start'], exit: signal, interrupt: [{ signal, when: 1_500 }], hangMs: 6_000 },
      ],
    }),
  ),
];

/** Tags the server tests' image as the fixture's local tag (a pull that finished elsewhere). */
export async function tagLocally(localTag: string): Promise<void> {
  const [repo, tag] = localTag.split(':') as [string, string];
  await harnessDocker()
    .getImage(await serverImage())
    .tag({ repo, tag });
}
