import { describe, expect, it } from 'vitest';
import { requestOf } from '../session.js';
import { resolveSettings } from './settings.js';

const file = {
  path: '/p/.stigmerrc',
  config: { image: { platform: 'linux/arm64', localTag: 'file:1' }, plugins: ['ghcr'] },
};
const defaults = ['local-image', 'ghcr', 'build-hint'];

describe('settings precedence: flag, then environment, then file, then default', () => {
  it('takes the flag over the environment over the file', () => {
    const { settings, sources } = resolveSettings({
      flags: { 'image.platform': { value: 'linux/amd64', flag: '--platform' } },
      env: { STIGMER_PLATFORM: 'linux/riscv64', STIGMER_LOCAL_TAG: 'env:1' },
      file,
      defaultPlugins: defaults,
    });
    expect(settings.image.platform).toBe('linux/amd64');
    expect(sources['image.platform']?.source).toEqual({ kind: 'flag', name: '--platform' });
    expect(settings.image.localTag).toBe('env:1');
    expect(sources['image.localTag']?.source).toEqual({ kind: 'env', name: 'STIGMER_LOCAL_TAG' });
  });

  it('takes the file over the default, and the default when nothing is set', () => {
    const { settings, sources } = resolveSettings({ env: {}, file, defaultPlugins: defaults });
    expect(settings.image.localTag).toBe('file:1');
    expect(sources['image.localTag']?.source).toEqual({ kind: 'file', name: '/p/.stigmerrc' });
    expect(settings.engine.host).toBeUndefined();
    expect(sources['engine.host']?.source.kind).toBe('default');
    expect(settings.plugins).toEqual([{ specifier: 'ghcr', options: {}, index: 0 }]);
  });

  it('uses the embedded default chain when no file names plugins', () => {
    const { settings, sources } = resolveSettings({ env: {}, defaultPlugins: defaults });
    expect(settings.plugins.map((p) => p.specifier)).toEqual(defaults);
    expect(settings.image.localTag).toBe('stigmer-agent-runner:local');
    expect(sources.plugins?.source).toEqual({ kind: 'default', name: 'built-in default' });
  });

  it('reads hook timeouts from the environment as durations', () => {
    const { settings, sources } = resolveSettings({
      env: { STIGMER_TIMEOUT_RESOLVE_IMAGE: '90s' },
      file: { path: '/f', config: { timeouts: { afterStart: '2m' } } },
      defaultPlugins: [],
    });
    expect(settings.timeouts.resolveImage).toBe(90_000);
    expect(settings.timeouts.afterStart).toBe(120_000);
    expect(sources['timeouts.resolveImage']?.source).toEqual({
      kind: 'env',
      name: 'STIGMER_TIMEOUT_RESOLVE_IMAGE',
    });
  });

  it('names the variable, the key and what was expected for a bad environment value', () => {
    expect(() =>
      resolveSettings({
        env: { STIGMER_PLATFORM: 'arm64', STIGMER_TIMEOUT_CREDENTIALS: 'later' },
        defaultPlugins: [],
      }),
    ).toThrow(
      [
        'Invalid stigmer settings in the environment:',
        '  - STIGMER_PLATFORM (image.platform): expected os/arch[/variant] such as linux/arm64, got "arm64"',
        '  - STIGMER_TIMEOUT_CREDENTIALS (timeouts.credentials): expected a duration such as 30s, 10m or 1h, got "later"',
      ].join('\n'),
    );
  });

  it('names the flag for a bad flag value', () => {
    expect(() =>
      resolveSettings({
        env: {},
        flags: { 'image.platform': { value: 'x', flag: '--platform' } },
        defaultPlugins: [],
      }),
    ).toThrow('Invalid value for --platform: expected os/arch[/variant] such as linux/arm64, got "x".');
  });
});

describe('pull policy and offline settings', () => {
  it('defaults to the missing policy, online', () => {
    const { settings } = resolveSettings({ env: {}, defaultPlugins: [] });
    expect(requestOf(settings, '0.1.0')).toMatchObject({
      pullPolicy: 'missing',
      pullInterval: undefined,
      offline: false,
    });
  });

  it('reads an interval as the newer policy checked at most that often', () => {
    const { settings, sources } = resolveSettings({
      env: { STIGMER_OFFLINE: 'true' },
      file: { path: '/f', config: { image: { pullPolicy: '24h' } } },
      defaultPlugins: [],
    });
    expect(requestOf(settings, '0.1.0')).toMatchObject({
      pullPolicy: 'newer',
      pullInterval: 86_400_000,
      offline: true,
    });
    expect(sources['image.pullPolicy']).toEqual({ value: '24h', source: { kind: 'file', name: '/f' } });
  });

  it('takes --pull and --offline over the file', () => {
    const { settings } = resolveSettings({
      flags: {
        'image.pullPolicy': { value: 'always', flag: '--pull' },
        offline: { value: 'false', flag: '--offline' },
      },
      env: {},
      file: { path: '/f', config: { image: { pullPolicy: 'never' }, offline: true } },
      defaultPlugins: [],
    });
    expect(requestOf(settings, '0.1.0')).toMatchObject({ pullPolicy: 'always', offline: false });
  });

  it('refuses an unknown policy, naming the flag', () => {
    expect(() =>
      resolveSettings({
        flags: { 'image.pullPolicy': { value: 'sometimes', flag: '--pull' } },
        env: {},
        defaultPlugins: [],
      }),
    ).toThrow(
      'Invalid value for --pull: expected missing, always, never, newer or an interval such as 24h, got "sometimes".',
    );
  });
});

describe('server settings', () => {
  it('defaults the container name and timeouts, and reads STIGMER_DATA_DIR and file values', () => {
    const { settings } = resolveSettings({ env: {}, defaultPlugins: [] });
    expect(settings.server.containerName).toBe('stigmer-agent-runner');
    expect(settings.server.dataDir).toBeUndefined();
    expect(settings.server.readyTimeout).toBe(120_000);
    expect(settings.server.stopTimeout).toBe(10_000);
    const { settings: set, sources } = resolveSettings({
      env: { STIGMER_DATA_DIR: '/tmp/stigmer-data' },
      file: {
        path: '/f',
        config: { server: { containerName: 'runner-2', readyTimeout: '5s', stopTimeout: 1 } },
      },
      defaultPlugins: [],
    });
    expect(set.server.dataDir).toBe('/tmp/stigmer-data');
    expect(sources['server.dataDir']?.source).toEqual({ kind: 'env', name: 'STIGMER_DATA_DIR' });
    expect(set.server.containerName).toBe('runner-2');
    expect(set.server.readyTimeout).toBe(5_000);
    expect(set.server.stopTimeout).toBe(1);
  });
});

describe('LLM settings: environment, config file, the original ~/.stigmer/config.yaml, defaults', () => {
  const homeConfig = {
    path: '/h/.stigmer/config.yaml',
    llm: { provider: 'anthropic', model: 'm-home', baseUrl: 'http://home:1' },
  };

  it("defaults to the original CLI's: ollama, qwen2.5-coder:7b, http://localhost:11434", () => {
    const { settings, sources } = resolveSettings({ env: {}, defaultPlugins: [] });
    expect(settings.llm).toEqual({
      provider: 'ollama',
      model: 'qwen2.5-coder:7b',
      baseUrl: 'http://localhost:11434',
    });
    expect(sources['llm.model']?.source).toEqual({ kind: 'default', name: 'built-in default' });
  });

  it('layers each value on its own: env over the config file over ~/.stigmer/config.yaml', () => {
    const { settings, sources } = resolveSettings({
      env: { STIGMER_LLM_MODEL: 'm-env' },
      file: { path: '/p/.stigmerrc', config: { llm: { baseUrl: 'http://file:2' } } },
      homeConfig,
      defaultPlugins: [],
    });
    expect(settings.llm).toEqual({ provider: 'anthropic', model: 'm-env', baseUrl: 'http://file:2' });
    expect(sources['llm.provider']?.source).toEqual({ kind: 'file', name: '/h/.stigmer/config.yaml' });
    expect(sources['llm.model']?.source).toEqual({ kind: 'env', name: 'STIGMER_LLM_MODEL' });
    expect(sources['llm.baseUrl']?.source).toEqual({ kind: 'file', name: '/p/.stigmerrc' });
  });

  it('the home config holds nothing else: other settings ignore it', () => {
    const { sources } = resolveSettings({ env: {}, homeConfig, defaultPlugins: [] });
    expect(sources['image.localTag']?.source.kind).toBe('default');
  });
});
