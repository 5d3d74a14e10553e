import { harness } from '../../harness/context.js';
import { publishFreshImage } from '../../pull/helpers.js';
import type { FaultCase } from '../fault-case.js';
import { FAST_PULL } from './engine.js';

/** A `stigmer image pull` case: the ghcr plugin pointed at `registry`, quick retries. */
function pullCase(
  name: string,
  exit: number,
  says: string[],
  options: {
    registry?: (proxy: string) => string;
    repository?: string;
    tag?: string;
    faults?: Parameters<import('../../harness/fault-proxy.js').FaultProxy['add']>[0][];
    args?: string[];
    fresh?: boolean;
  } = {},
): FaultCase {
  return {
    name,
    fault: 'registry',
    pulls: exit === 0,
    fixture: async (w) => {
      const registry = options.registry ? options.registry(w.proxy.host) : w.proxy.host;
      const repository = options.repository ?? 'stigmer/agent-runner';
      let tag = options.tag ?? '0.1.0';
      if (options.fresh) {
        // A layer the engine has never seen, so the blob really travels (and can be cut).
        tag = `fault-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
        await publishFreshImage(harness().openRegistry, 'stigmer/fresh', tag);
      }
      const repo = options.fresh ? 'stigmer/fresh' : repository;
      w.pulled.push(`${registry}/${repo}:${tag}`);
      for (const fault of options.faults ?? []) w.proxy.add(fault);
      return { localImage: false, ghcr: { registry, repository: repo, tag }, config: FAST_PULL };
    },
    runs: [{ args: ['image', 'pull', '--quiet', ...(options.args ?? [])], exit, says }],
  };
}

/** What registries do wrong: refuse, lack the tag, rate-limit, fail, drop or stall blobs. */
export const registryCases: FaultCase[] = [
  pullCase(
    '401: a private repository pulled anonymously: exit 7, what was tried and how to log in',
    7,
    ['it needs credentials', 'tried anonymously', 'docker login'],
    { registry: () => harness().tokenRegistry, repository: 'stigmer/private-runner' },
  ),
  pullCase('403: the registry forbids the pull: exit 7', 7, ['The registry refused to let stigmer pull'], {
    faults: [{ target: 'manifest', fault: { kind: 'status', status: 403 } }],
  }),
  pullCase(
    '404: the tag does not exist: the build hint, exit 3',
    3,
    ['Docker image not found locally and pull from registry failed.', 'manifest unknown'],
    { registry: () => harness().openRegistry, tag: 'no-such-tag' },
  ),
  pullCase('429 once: absorbed, the pull succeeds', 0, [], {
    faults: [{ target: 'manifest', fault: { kind: 'status', status: 429, retryAfter: '1' }, times: 1 }],
  }),
  pullCase('429 persistent: exit 8 after honouring Retry-After', 8, ['rate-limited the pull', 'HTTP 429'], {
    faults: [{ target: 'manifest', fault: { kind: 'status', status: 429, retryAfter: '1' } }],
  }),
  pullCase('5xx twice: retried with backoff, the pull succeeds', 0, [], {
    faults: [{ target: 'manifest', fault: { kind: 'status', status: 503 }, times: 2 }],
  }),
  pullCase(
    '5xx persistent: exit 9 after the retries',
    9,
    ['failed with a temporary error; stigmer tried 2 times'],
    {
      faults: [{ target: 'manifest', fault: { kind: 'status', status: 500 } }],
    },
  ),
  pullCase('a blob dropped mid-transfer: resumed, the pull succeeds', 0, [], {
    fresh: true,
    faults: [
      { target: 'blob', fault: { kind: 'cut', afterBytes: 1_000_000 }, minBytes: 1_000_000, times: 1 },
    ],
  }),
  {
    name: 'a blob that stalls for good: exit 11 after the retries, no tag',
    fault: 'registry',
    fixture: async (w) => {
      const stalling = await w.stalling();
      w.pulled.push(`${stalling.host}/stigmer/agent-runner:stall`);
      return {
        localImage: false,
        ghcr: { registry: stalling.host, tag: 'stall' },
        config: { pull: { retries: 1, retryDelay: '100ms', stallTimeout: '1s' } },
      };
    },
    runs: [{ args: ['image', 'pull', '--quiet'], exit: 11, says: ['stalled: no progress for 1s, 2 times'] }],
  },
  pullCase(
    'the wrong platform (a single-platform tag pulled for arm64): exit 10, untagged again',
    10,
    ['has no image for linux/arm64'],
    { registry: () => harness().openRegistry, args: ['--platform', 'linux/arm64'] },
  ),
];
