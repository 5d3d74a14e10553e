import { describe, expect, it } from 'vitest';
import { validateConfig } from './load.js';
import { resolveSettings } from './settings.js';

const defaults = ['ghcr'];

describe('pull.* settings', () => {
  it('defaults: 3 retries, 1s base delay, 60s stall timeout', () => {
    expect(resolveSettings({ env: {}, defaultPlugins: defaults }).settings.pull).toEqual({
      retries: 3,
      retryDelay: 1000,
      stallTimeout: 60_000,
    });
  });

  it('reads the file, with the environment winning', () => {
    const file = {
      path: '/p/.stigmerrc',
      config: { pull: { retries: 5, retryDelay: '2s', stallTimeout: '90s' } },
    };
    const { settings, sources } = resolveSettings({
      env: { STIGMER_PULL_STALL_TIMEOUT: '0' },
      file,
      defaultPlugins: defaults,
    });
    expect(settings.pull).toEqual({ retries: 5, retryDelay: 2000, stallTimeout: 0 });
    expect(sources['pull.stallTimeout']?.source).toEqual({ kind: 'env', name: 'STIGMER_PULL_STALL_TIMEOUT' });
    expect(sources['pull.retries']?.source).toEqual({ kind: 'file', name: '/p/.stigmerrc' });
  });

  it('names the variable and what was expected for bad environment values', () => {
    expect(() =>
      resolveSettings({
        env: { STIGMER_PULL_RETRIES: 'many', STIGMER_PULL_RETRY_DELAY: 'soon' },
        defaultPlugins: defaults,
      }),
    ).toThrow(
      [
        'Invalid stigmer settings in the environment:',
        '  - STIGMER_PULL_RETRIES (pull.retries): expected a whole number of retries from 0 to 20, got "many"',
        '  - STIGMER_PULL_RETRY_DELAY (pull.retryDelay): expected a duration such as 30s, 10m or 1h, got "soon"',
      ].join('\n'),
    );
  });

  it('is strict in the file: unknown keys and bad values are errors at their path', async () => {
    const problem = (text: string) => `Invalid stigmer config in /p/.stigmerrc (1 problem):\n  - ${text}`;
    await expect(validateConfig({ pull: { retry: 3 } }, '/p/.stigmerrc')).rejects.toThrow(
      problem('pull.retry: unknown key (not a stigmer setting)'),
    );
    await expect(validateConfig({ pull: { retries: 1.5 } }, '/p/.stigmerrc')).rejects.toThrow(
      problem('pull.retries: expected a whole number of retries such as 3'),
    );
    await expect(validateConfig({ pull: { stallTimeout: 'forever' } }, '/p/.stigmerrc')).rejects.toThrow(
      problem('pull.stallTimeout: expected a duration such as 30s, 10m or 1h'),
    );
  });
});
