import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../errors.js';
import { backoffDelay, parseRetryAfter, sleep } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles per attempt, between half and all of the nominal delay', () => {
    expect(backoffDelay(0, 1000, 30_000, () => 0)).toBe(500);
    expect(backoffDelay(0, 1000, 30_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 30_000, () => 1)).toBe(8000);
  });
  it('never exceeds the cap', () => {
    expect(backoffDelay(20, 1000, 30_000, () => 1)).toBe(30_000);
  });
  it('spreads retries with jitter', () => {
    const seen = new Set(Array.from({ length: 20 }, () => backoffDelay(2, 1000)));
    expect(seen.size).toBeGreaterThan(1);
    for (const delay of seen) expect(delay).toBeGreaterThanOrEqual(2000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, never negative', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('1.5')).toBe(1500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
  it('is undefined when absent or unreadable', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('sleep', () => {
  it('rejects with the interruption as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = sleep(10_000, controller.signal);
    controller.abort(new InterruptedError('SIGTERM'));
    await expect(waiting).rejects.toMatchObject({ code: 'INTERRUPTED', signal: 'SIGTERM' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
