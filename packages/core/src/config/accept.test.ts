import { describe, expect, it } from 'vitest';
import { acceptConfig } from './accept.js';
import { DECLARED_SETTINGS } from './declarations.js';
import { configFileSchema } from './schema.js';

/** Values of every kind, valid for some settings and not for others. */
const SAMPLES: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -0,
  1,
  3,
  20,
  21,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 60,
  '',
  ' ',
  'x',
  '  padded  ',
  'two words',
  'true',
  '0',
  '30s',
  '0s',
  '10m',
  '1h',
  '400d',
  'soon',
  'linux/arm64',
  'linux/arm/v7',
  'Linux/ARM',
  'unix:///var/run/docker.sock',
  'stigmer-agent-runner:local',
  'always',
  'newer',
  '24h',
  'http://localhost:11434',
  [],
  ['x'],
  {},
  { a: 1 },
];

/** Entries of `plugins`, valid and not. */
const PLUGIN_LISTS: unknown[] = [
  [],
  ['local-image'],
  ['local-image', ['ghcr', { registry: '127.0.0.1:5000' }], ['build-hint']],
  [''],
  [['']],
  [['x', { a: 1 }, 'extra']],
  [['x', null]],
  [['x', []]],
  [['x', 'y']],
  [42],
  'local-image',
  null,
  undefined,
];

/** What zod makes of it: the data, or undefined when it refuses. */
function schema(raw: unknown): unknown {
  const parsed = configFileSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : undefined;
}

function at(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/** Both validators agree: the same data when both accept; acceptConfig accepts whatever zod accepts. */
function expectSame(raw: unknown): void {
  expect(acceptConfig(raw), JSON.stringify(raw)).toStrictEqual(schema(raw));
}

describe('acceptConfig is the config schema without zod', () => {
  it('agrees with the schema on every sample value of every setting', () => {
    for (const setting of DECLARED_SETTINGS) {
      for (const value of SAMPLES) expectSame(at(setting.path, value));
    }
  });

  it('agrees on plugin lists and $schema', () => {
    for (const plugins of PLUGIN_LISTS) expectSame({ plugins });
    for (const $schema of ['https://example.com/schema.json', 1, undefined, null]) expectSame({ $schema });
  });

  it('agrees on shapes: empty, unknown keys, groups that are not objects, whole files', () => {
    for (const raw of [
      undefined,
      null,
      {},
      [],
      'text',
      { unknown: 1 },
      { image: 'x' },
      { image: null },
      { image: [] },
      { image: { localTag: 'a:b', extra: 1 } },
      { build: true },
      { timeouts: { resolveImage: '10m', notAHook: '1s' } },
      Object.assign(Object.create(null), { offline: true }),
      {
        $schema: 'x',
        plugins: ['local-image', ['ghcr', { tag: '1.0' }]],
        image: { localTag: 'a:b', platform: 'linux/arm64', pullPolicy: '24h' },
        offline: false,
        pull: { retries: 2, retryDelay: '2s', stallTimeout: 0 },
        engine: { host: 'unix:///x.sock', timeout: 5000 },
        server: {
          containerName: 'c1',
          dataDir: '/tmp/d',
          readyTimeout: '1m',
          stopTimeout: '0s',
          settleTime: 0,
        },
        llm: { provider: ' ollama ', model: 'm', baseUrl: 'http://x' },
        timeouts: { resolveImage: '10m', afterStart: 1000 },
      },
    ]) {
      expectSame(raw);
    }
  });

  it('accepts every file the schema accepts in these tests (a valid file never loads zod)', () => {
    const whole = { image: { localTag: 'a:b' }, plugins: ['local-image'], llm: { model: ' m ' } };
    expect(acceptConfig(whole)).toStrictEqual({
      plugins: ['local-image'],
      image: { localTag: 'a:b' },
      llm: { model: 'm' },
    });
    expect(acceptConfig({ image: { localTag: 42 } })).toBeUndefined();
  });
});
