import { describe, expect, it } from 'vitest';
import { candidates, rewrite } from './candidates.js';

describe('mirror rewrite rules', () => {
  it('rewrites a prefix with *, keeping what * matched', () => {
    expect(
      rewrite('ghcr.io/stigmer/agent-runner', {
        match: 'ghcr.io/stigmer/*',
        rewrite: 'mirror.corp.example/stigmer/*',
      }),
    ).toBe('mirror.corp.example/stigmer/agent-runner');
    expect(
      rewrite('ghcr.io/stigmer/agent-runner', { match: 'ghcr.io/*', rewrite: 'cache.local:5000/ghcr/*' }),
    ).toBe('cache.local:5000/ghcr/stigmer/agent-runner');
    expect(
      rewrite('ghcr.io/other/x', { match: 'ghcr.io/stigmer/*', rewrite: 'm/stigmer/*' }),
    ).toBeUndefined();
  });

  it('rewrites an exact name to a name', () => {
    expect(
      rewrite('ghcr.io/stigmer/agent-runner', {
        match: 'ghcr.io/stigmer/agent-runner',
        rewrite: 'harbor.corp/ai/runner',
      }),
    ).toBe('harbor.corp/ai/runner');
  });

  it('tries each matching mirror in order, then the origin, each once', () => {
    const rules = [
      { match: 'ghcr.io/stigmer/*', rewrite: '127.0.0.1:5001/stigmer/*' },
      { match: 'ghcr.io/nothing/*', rewrite: '127.0.0.1:5009/x/*' },
      { match: 'ghcr.io/*', rewrite: '127.0.0.1:5002/ghcr/*' },
      { match: 'ghcr.io/stigmer/*', rewrite: '127.0.0.1:5001/stigmer/*' },
    ];
    expect(candidates('ghcr.io/stigmer/agent-runner', 'v1', rules, true)).toEqual([
      { reference: '127.0.0.1:5001/stigmer/agent-runner:v1', registry: '127.0.0.1:5001', origin: false },
      { reference: '127.0.0.1:5002/ghcr/stigmer/agent-runner:v1', registry: '127.0.0.1:5002', origin: false },
      { reference: 'ghcr.io/stigmer/agent-runner:v1', registry: 'ghcr.io', origin: true },
    ]);
    expect(candidates('ghcr.io/stigmer/agent-runner', 'v1', rules, false)).toHaveLength(2);
  });
});
