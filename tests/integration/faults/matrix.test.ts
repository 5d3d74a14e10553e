import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from '../harness/context.js';
import { type FaultProxy, startFaultProxy } from '../harness/fault-proxy.js';
import { removeServerImage } from '../server/helpers.js';
import { configCases } from './cases/config.js';
import { engineCases } from './cases/engine.js';
import { outputCases } from './cases/output.js';
import { readinessCases } from './cases/readiness.js';
import { registryCases } from './cases/registry.js';
import { signalCases } from './cases/signal.js';
import { stateCases } from './cases/state.js';
import { cleanupTrustCases, trustCases } from './cases/trust.js';
import type { CaseOutcome, FaultCase } from './fault-case.js';
import { runCase } from './run-case.js';

/**
 * The fault matrix: every fault class stigmer must survive, each run
 * against the real engine, registries, fault proxy and lifecycle, and each
 * checked for its exit code, its message and what it left behind. Add a row
 * to a table in `cases/` to add a case. The run ends with one line that CI's
 * log shows:
 *
 *   faults: N tried, N classified, 0 hangs, 0 stack traces, 0 left behind
 */

const TABLES: Record<string, FaultCase[]> = {
  engine: engineCases,
  registry: registryCases,
  signals: signalCases,
  'state and locks': stateCases,
  config: configCases,
  readiness: readinessCases,
  output: outputCases,
  'trust (archives, failover, lying resolvers, foreign containers)': trustCases,
};

const outcomes: CaseOutcome[] = [];
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(harness().openRegistry);
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([removeServerImage(), cleanupTrustCases()]);
  console.log(summary(outcomes));
});

/** The one line, computed from the cases that ran. */
function summary(all: readonly CaseOutcome[]): string {
  const count = (test: (o: CaseOutcome) => number | boolean) =>
    all.reduce((sum, o) => sum + Number(test(o)), 0);
  return [
    `faults: ${all.length} tried`,
    `${count((o) => o.classified)} classified`,
    `${count((o) => o.hangs)} hangs`,
    `${count((o) => o.stackTraces)} stack traces`,
    `${count((o) => o.leftBehind.length)} left behind`,
  ].join(', ');
}

for (const [table, cases] of Object.entries(TABLES)) {
  describe(`fault matrix: ${table}`, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const outcome = await runCase(c, proxy);
        outcomes.push(outcome);
        expect(outcome.failures).toEqual([]);
        expect(outcome.leftBehind).toEqual([]);
        expect(outcome).toMatchObject({ classified: true, hangs: 0, stackTraces: 0 });
      });
    }
  });
}
