import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS, DEFAULT_PLUGINS } from './builtins.js';

describe('first-party plugins bundled with the CLI', () => {
  it.each(Object.keys(BUILTIN_PLUGINS))('%s reports the version of its package', async (name) => {
    const module = await BUILTIN_PLUGINS[name]?.();
    const factory = module?.default as () => { name: string; version: string };
    // Workspace packages are linked into the root node_modules.
    const pkgUrl = new URL(`../../../node_modules/${name}/package.json`, import.meta.url);
    const { version } = JSON.parse(readFileSync(pkgUrl, 'utf8')) as { version: string };
    expect(factory().version).toBe(version);
  });

  it('the default chain names only bundled plugins, so it needs nothing installed', () => {
    for (const short of DEFAULT_PLUGINS)
      expect(Object.keys(BUILTIN_PLUGINS)).toContain(`@stigmer/plugin-${short}`);
  });
});
