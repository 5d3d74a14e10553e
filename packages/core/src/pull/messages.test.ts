import { describe, expect, it } from 'vitest';
import { CODES, failureMessage } from './messages.js';

const facts = {
  reference: 'ghcr.io/acme/app:v1',
  registry: 'ghcr.io',
  said: 'manifest unknown',
  attempts: 1,
  platform: 'linux/arm64',
  credentials: 'anonymously',
};

describe('pull failure messages (the classes the CLI tests cannot reach with first-party plugins)', () => {
  it('not found: what was asked, what the registry said, what to check', () => {
    expect(failureMessage('not-found', facts)).toBe(
      [
        'The registry has no image ghcr.io/acme/app:v1 (tried anonymously).',
        'Registry said: manifest unknown',
        'Check the repository and tag in your stigmer config, or build the image locally.',
      ].join('\n'),
    );
    expect(CODES['not-found']).toBe('PULL_NOT_FOUND');
  });

  it('an engine answer that fits no class', () => {
    expect(failureMessage('failed', { ...facts, said: 'something odd' })).toBe(
      'Pulling ghcr.io/acme/app:v1 failed (tried anonymously).\nEngine said: something odd',
    );
    expect(CODES.failed).toBe('PULL_FAILED');
  });

  it('a platform list that could not be read', () => {
    expect(failureMessage('wrong-platform', facts).split('\n')[0]).toBe(
      'ghcr.io/acme/app:v1 has no image for linux/arm64; the platforms it has could not be listed.',
    );
  });

  it('says "tried once" without a wait between attempts when there was only one', () => {
    const first = (kind: 'rate-limited' | 'transient' | 'stalled', attempts: number) =>
      failureMessage(kind, { ...facts, attempts, stallTimeoutMs: 2000 }).split('\n')[0];
    expect(first('rate-limited', 1)).toBe(
      'The registry rate-limited the pull of ghcr.io/acme/app:v1 (HTTP 429); stigmer tried once (no retries) and gave up.',
    );
    expect(first('rate-limited', 3)).toBe(
      'The registry rate-limited the pull of ghcr.io/acme/app:v1 (HTTP 429); stigmer tried 3 times, waiting between attempts, and gave up.',
    );
    expect(first('transient', 1)).toBe(
      'Pulling ghcr.io/acme/app:v1 failed with a temporary error; stigmer tried once (no retries) and gave up.',
    );
    expect(first('stalled', 1)).toBe(
      'Pulling ghcr.io/acme/app:v1 stalled: no progress for 2s; stigmer closed the pull.',
    );
    expect(first('stalled', 2)).toBe(
      'Pulling ghcr.io/acme/app:v1 stalled: no progress for 2s, 2 times; stigmer closed the pull each time.',
    );
  });

  it("an unreachable registry: what failed in plain words, the engine's own, what to check", () => {
    const said = 'Get "https://nohost.invalid/v2/": dial tcp: lookup nohost.invalid: no such host';
    expect(failureMessage('unreachable', { ...facts, registry: 'nohost.invalid', said, attempts: 2 })).toBe(
      [
        'Could not reach the registry nohost.invalid to pull ghcr.io/acme/app:v1: its name could not be resolved (DNS); stigmer tried 2 times.',
        `Last error: ${said}`,
        'To fix: check the network connection (DNS, proxy, VPN) and that nohost.invalid is the registry you mean, then run the command again.',
      ].join('\n'),
    );
    expect(failureMessage('unreachable', { ...facts, said: 'connect: connection refused' })).toContain(
      ': nothing accepted the connection;',
    );
    expect(CODES.unreachable).toBe('PULL_TRANSIENT');
  });
});
