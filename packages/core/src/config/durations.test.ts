import { describe, expect, it } from 'vitest';
import { durationIn, formatDuration, MAX_DURATION_MS } from '../duration.js';
import { validateConfig } from './load.js';
import { resolveSettings } from './settings.js';

const inFile = (config: unknown) => validateConfig(config, '/p/.stigmerrc').catch((e: Error) => e.message);
const problem = (line: string) => `Invalid stigmer config in /p/.stigmerrc (1 problem):\n  - ${line}`;

describe('duration settings are held to a range, named with the key', () => {
  it('refuses 2^31 ms and more, which Node timers would fire at once', async () => {
    expect(2 ** 31).toBeGreaterThan(MAX_DURATION_MS);
    expect(await inFile({ server: { readyTimeout: '25d' } })).toBe(
      problem('server.readyTimeout: expected a duration from 1ms to 24d, got "25d"'),
    );
    expect(await inFile({ pull: { stallTimeout: 2 ** 31 } })).toBe(
      problem(`pull.stallTimeout: expected a duration from 0ms to 24d, got ${2 ** 31}`),
    );
    expect(await inFile({ server: { readyTimeout: '24d' } })).toEqual({ server: { readyTimeout: '24d' } });
  });

  it('refuses a hook timeout of 0, which would time every plugin out at once', async () => {
    expect(await inFile({ timeouts: { resolveImage: 0 } })).toBe(
      problem('timeouts.resolveImage: expected a duration from 1ms to 24d, got 0'),
    );
  });

  it('refuses a stop timeout of 1e100, which the engine would reject', async () => {
    expect(await inFile({ server: { stopTimeout: 1e100 } })).toBe(
      problem('server.stopTimeout: expected a duration from 0ms to 24d, got 1e+100'),
    );
  });

  it('holds the environment to the same ranges, naming the variable and the key', () => {
    expect(() =>
      resolveSettings({
        env: {
          STIGMER_STOP_TIMEOUT: '30d',
          STIGMER_TIMEOUT_CONTAINER_SPEC: '0',
          STIGMER_ENGINE_TIMEOUT: '0s',
        },
        defaultPlugins: [],
      }),
    ).toThrow(
      [
        'Invalid stigmer settings in the environment:',
        '  - STIGMER_ENGINE_TIMEOUT (engine.timeout): expected a duration from 1ms to 24d, got "0s"',
        '  - STIGMER_STOP_TIMEOUT (server.stopTimeout): expected a duration from 0ms to 24d, got "30d"',
        '  - STIGMER_TIMEOUT_CONTAINER_SPEC (timeouts.containerSpec): expected a duration from 1ms to 24d, got "0"',
      ].join('\n'),
    );
  });

  it('keeps 0 where it means "off": the stall watchdog and the settle time', () => {
    const { settings } = resolveSettings({
      env: { STIGMER_PULL_STALL_TIMEOUT: '0', STIGMER_SETTLE_TIME: '0' },
      defaultPlugins: [],
    });
    expect(settings.pull.stallTimeout).toBe(0);
    expect(settings.server.settleTime).toBe(0);
  });

  it('has defaults for the engine timeout and the settle time', () => {
    const { settings, sources } = resolveSettings({ env: {}, defaultPlugins: [] });
    expect(settings.engine.timeout).toBe(30_000);
    expect(settings.server.settleTime).toBe(3000);
    expect(sources['server.settleTime']).toMatchObject({ unit: 'ms', source: { kind: 'default' } });
  });

  it('says days for long durations', () => {
    expect(formatDuration(MAX_DURATION_MS)).toBe('24d');
    expect(durationIn('1h', { min: 0, max: 1000 })).toEqual({
      error: 'expected a duration from 0ms to 1s, got "1h"',
    });
  });
});

describe('config keys that validators skip', () => {
  it('reports __proto__ in plugin options (and anywhere else) as an unknown key', async () => {
    const config = JSON.parse('{"plugins":[["ghcr",{"__proto__":{"polluted":true},"tag":"x"}]]}');
    expect(await inFile(config)).toBe(
      problem('plugins[0][1].__proto__: unknown key (not a stigmer setting)'),
    );
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('refuses more than 64 plugins before validating any of them', async () => {
    // Every entry is a valid name: without the cap this config would validate and load 500000 plugins.
    const message = await inFile({ plugins: Array.from({ length: 500_000 }, (_, i) => `p${i}`) });
    expect(message).toBe(problem('plugins: 500000 plugins; a config may list at most 64'));
  });
});
