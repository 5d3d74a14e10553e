import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { checkApiVersion, PLUGIN_API_VERSION } from './api-version.js';
import { definePlugin } from './define.js';

const origin = { specifier: './p.mjs', index: 2, loadedFrom: 'file:///x/p.mjs' };
const refusal = (apiVersion: unknown, host = '1.3') => {
  try {
    checkApiVersion({ name: 'p', apiVersion }, origin, host);
  } catch (error) {
    return error as ConfigError;
  }
  return undefined;
};

describe('the plugin API version', () => {
  it('definePlugin stamps the API version of the core it comes from, whatever the author wrote', () => {
    const plugin = definePlugin({ name: 'p', version: '1.0.0', apply() {} });
    expect(plugin.apiVersion).toBe(PLUGIN_API_VERSION);
    expect(PLUGIN_API_VERSION).toMatch(/^\d+\.\d+$/);
    expect(Object.isFrozen(plugin)).toBe(true);
  });

  it('loads a plugin built for the same major and the same or an older minor', () => {
    for (const version of ['1.0', '1.2', '1.3']) expect(refusal(version)).toBeUndefined();
  });

  it('refuses a newer minor, another major, or none, naming the plugin, its version and the host s', () => {
    for (const [given, words] of [
      ['1.4', 'was built for plugin API 1.4; this stigmer provides plugin API 1.3. It needs a newer stigmer'],
      [
        '2.0',
        'was built for plugin API 2.0; this stigmer provides plugin API 1.3. Install a version of the plugin built for API 1.x',
      ],
      ['0.9', 'was built for plugin API 0.9; this stigmer provides plugin API 1.3'],
      [undefined, 'declares no plugin API version; this stigmer provides plugin API 1.3'],
      ['1', 'declares the plugin API version "1", which is not major.minor'],
      [1.3, 'declares the plugin API version 1.3, which is not major.minor'],
    ] as const) {
      const error = refusal(given);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error?.code).toBe('PLUGIN_INVALID');
      expect(error?.message).toContain(`Plugin "p" (./p.mjs at plugins[2], file:///x/p.mjs) ${words}`);
      expect(error?.details).toMatchObject({
        plugin: 'p',
        apiVersion: given === undefined ? null : String(given),
        hostApiVersion: '1.3',
      });
    }
  });
});
