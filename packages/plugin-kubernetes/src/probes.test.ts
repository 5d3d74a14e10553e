import { describe, expect, it } from 'vitest';
import { probeCommand, probesFrom } from './probes.js';

const S = 1_000_000_000;

describe('probeCommand', () => {
  it('runs a CMD test as its arguments and a CMD-SHELL test through /bin/sh -c', () => {
    expect(probeCommand(['CMD', 'curl', '-f', 'http://localhost/'])).toEqual([
      'curl',
      '-f',
      'http://localhost/',
    ]);
    expect(probeCommand(['CMD-SHELL', 'curl -f http://localhost/ || exit 1'])).toEqual([
      '/bin/sh',
      '-c',
      'curl -f http://localhost/ || exit 1',
    ]);
  });

  it('has no command for NONE, an empty test or a bare kind', () => {
    expect(probeCommand(['NONE'])).toBeUndefined();
    expect(probeCommand([])).toBeUndefined();
    expect(probeCommand(['CMD'])).toBeUndefined();
  });
});

describe('probesFrom', () => {
  it("uses Docker's defaults (30s interval and timeout, 3 retries) for what the HEALTHCHECK leaves out, and no startup probe without a start period", () => {
    const probes = probesFrom({ test: ['CMD', 'true'] });
    const probe = { exec: { command: ['true'] }, periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 3 };
    expect(probes).toEqual({ liveness: probe, readiness: { ...probe, successThreshold: 1 } });
  });

  it('carries interval, timeout and retries over, rounding up to whole seconds', () => {
    const probes = probesFrom({
      test: ['CMD', 'true'],
      intervalNs: 1.5 * S,
      timeoutNs: 200_000_000,
      retries: 5,
    });
    expect(probes?.liveness).toMatchObject({ periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 5 });
  });

  it('turns the start period into a startup probe: the start period at the start interval, then the retries', () => {
    const startup = probesFrom({
      test: ['CMD', 'true'],
      intervalNs: 10 * S,
      startPeriodNs: 60 * S,
      startIntervalNs: 2 * S,
      retries: 3,
    })?.startup;
    expect(startup).toEqual({
      exec: { command: ['true'] },
      periodSeconds: 2,
      timeoutSeconds: 30,
      failureThreshold: 33,
    });
    // Without a start interval: Docker's 5s, or the interval when that is shorter.
    expect(
      probesFrom({ test: ['CMD', 'true'], intervalNs: 3 * S, startPeriodNs: 9 * S })?.startup,
    ).toMatchObject({
      periodSeconds: 3,
      failureThreshold: 6,
    });
  });

  it('gives no probes for a test Docker would not run', () => {
    expect(probesFrom({ test: ['NONE'] })).toBeUndefined();
  });
});
