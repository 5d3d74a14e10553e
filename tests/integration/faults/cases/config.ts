import type { FaultCase, RunSpec, World } from '../fault-case.js';

/** A project whose only config is `file` (the fixture's .stigmerrc removed). */
const onlyConfig = (name: string, content: (w: World) => string) => async (w: World) => {
  await w.remove('.stigmerrc');
  await w.write(name, content(w));
};

/** The fixture's .stigmerrc, with `change` applied to it. */
const changedConfig = (change: (config: Record<string, unknown>) => void) => async (w: World) => {
  const { readFile } = await import('node:fs/promises');
  const config = JSON.parse(await readFile(w.file('.stigmerrc'), 'utf8'));
  change(config);
  await w.write('.stigmerrc', JSON.stringify(config));
};

/** A plugin file added to the fixture's chain. */
const withPlugin = (entry: unknown, file: string, source: string) => () => ({
  extraPlugins: [entry],
  files: { [file]: source },
});

/** `server start` meets a bad config or plugin: exit 78 and `says`. */
const configCase = (
  name: string,
  says: NonNullable<RunSpec['says']>,
  rest: Partial<FaultCase>,
): FaultCase => ({
  name,
  fault: 'config',
  runs: [{ args: ['server', 'start'], exit: 78, says, hangMs: 15_000 }],
  ...rest,
});

/** Config files and plugins that throw, never finish loading, or hold values that only look valid. */
export const configCases: FaultCase[] = [
  configCase(
    'a .stigmerrc.mjs that throws: exit 78 naming the file and its error',
    [(w) => `Could not read the stigmer config ${w.file('.stigmerrc.mjs')}: boom in config`],
    { setup: onlyConfig('.stigmerrc.mjs', () => 'throw new Error("boom in config");\n') },
  ),
  configCase(
    "a .stigmerrc.mjs whose top-level await never settles: exit 78, not Node's silent 13",
    [(w) => `The stigmer config ${w.file('.stigmerrc.mjs')} never finished loading`],
    { setup: onlyConfig('.stigmerrc.mjs', () => 'await new Promise(() => {});\nexport default {};\n') },
  ),
  configCase(
    'a broken package.json in the current folder: exit 78 naming it',
    [(w) => `Could not read the stigmer config ${w.file('package.json')}: Unexpected end of JSON input`],
    { setup: async (w) => w.write('package.json', '{"name":') },
  ),
  configCase(
    'a plugin whose factory throws: exit 78, PLUGIN_INVALID naming the plugin',
    ['Plugin "./factory-throws.mjs"', 'is broken: its factory (the default export) threw: no factory today'],
    {
      fixture: withPlugin(
        './factory-throws.mjs',
        'factory-throws.mjs',
        'export default function factory() { throw new Error("no factory today"); }\n',
      ),
    },
  ),
  configCase(
    'a plugin whose options-schema loader throws: exit 78, PLUGIN_INVALID naming the plugin',
    ['Plugin "./schema-throws.mjs"', 'its options schema failed to load or to run: cannot load my schema'],
    {
      fixture: withPlugin(
        ['./schema-throws.mjs', { a: 1 }],
        'schema-throws.mjs',
        "export default { name: 'schema-throws', version: '1.0.0', apiVersion: '1.0', apply() {}, optionsSchema: async () => { throw new Error('cannot load my schema'); } };\n",
      ),
    },
  ),
  configCase(
    'a plugin whose top-level await never settles: exit 78 naming it',
    ['Plugin "./stuck.mjs"', 'never finished loading'],
    {
      fixture: withPlugin(
        './stuck.mjs',
        'stuck.mjs',
        "await new Promise(() => {});\nexport default { name: 'stuck', version: '1.0.0', apiVersion: '1.0', apply() {} };\n",
      ),
    },
  ),
  configCase(
    'an 11 MB config of 500,000 plugin names: exit 78 at once, before parsing it',
    [(w) => `The stigmer config ${w.file('.stigmerrc')} is 1`, 'a config file may be at most 1 MB'],
    {
      setup: async (w) => {
        const plugins = Array.from(
          { length: 500_000 },
          (_, i) => `stigmer-plugin-${String(i).padStart(6, '0')}`,
        );
        await w.write('.stigmerrc', JSON.stringify({ plugins }));
      },
    },
  ),
  configCase(
    'a JavaScript config that makes 500,000 plugins: exit 78, nothing loaded',
    ['plugins: 500000 plugins; a config may list at most 64'],
    {
      setup: onlyConfig(
        'stigmer.config.mjs',
        () => "export default { plugins: Array.from({ length: 500000 }, (_, i) => 'p' + i) };\n",
      ),
    },
  ),
  configCase(
    'a duration of 25 days (2^31 ms and more): exit 78 naming the key and the range',
    ['server.readyTimeout: expected a duration from 1ms to 24d, got "25d"'],
    { setup: changedConfig((c) => Object.assign(c.server as object, { readyTimeout: '25d' })) },
  ),
  configCase(
    'timeouts.resolveImage: 0: exit 78 naming the key and the range',
    ['timeouts.resolveImage: expected a duration from 1ms to 24d, got 0'],
    { setup: changedConfig((c) => Object.assign(c, { timeouts: { resolveImage: 0 } })) },
  ),
  configCase(
    'server.stopTimeout: 1e100: exit 78 naming the key and the range',
    ['server.stopTimeout: expected a duration from 0ms to 24d, got 1e+100'],
    { setup: changedConfig((c) => Object.assign(c.server as object, { stopTimeout: 1e100 })) },
  ),
  configCase(
    '__proto__ in plugin options: exit 78, an unknown key',
    ['.__proto__: unknown key (not a stigmer setting)'],
    {
      setup: async (w) => {
        const { readFile } = await import('node:fs/promises');
        const text = await readFile(w.file('.stigmerrc'), 'utf8');
        // Written as text: JSON.stringify would drop the key.
        await w.write(
          '.stigmerrc',
          text.replace('"repository":', '"__proto__": {"polluted": true}, "repository":'),
        );
      },
    },
  ),
];
