import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectDir, stigmer } from '../cli/run.js';
import { imageNames, ROOT, tagImage } from './helpers.js';

/**
 * The versioned plugin contract, through the built CLI: a plugin bundled
 * against core of plugin API 1.0 (committed as built, `tests/fixtures/
 * plugin-api-1.0`) still loads and runs, and one built for API 2.0 is
 * refused with PLUGIN_INVALID naming the plugin, its API version and the host's.
 */

const images = imageNames('api-version');
const fixture = (version: string) => path.join(ROOT, 'tests/fixtures', `plugin-api-${version}`, 'plugin.js');

async function project(version: string, tag: string): Promise<string> {
  const dir = await projectDir({
    '.stigmerrc': `image:\n  localTag: ${tag}\nplugins:\n  - ./api.mjs\n  - local-image\n`,
  });
  await copyFile(fixture(version), path.join(dir, 'api.mjs'));
  return dir;
}

describe('the plugin API version', () => {
  it('a plugin compiled against API 1.0 loads and runs', async () => {
    const tag = images.name();
    await tagImage(tag);
    const cwd = await project('1.0', tag);

    const listed = await stigmer(['plugins', 'list', '--json'], { cwd });
    expect(listed.exitCode).toBe(0);
    expect(JSON.parse(listed.stdout).plugins[0]).toMatchObject({ name: 'api-1.0', hooks: ['resolveImage'] });

    const resolved = await stigmer(['image', 'resolve', '--explain'], { cwd });
    expect(resolved.exitCode).toBe(0);
    expect(resolved.stdout).toMatch(/resolveImage +api-1\.0 +passed .*built for plugin API 1\.0, and loaded/);
    expect(resolved.stdout).toMatch(/resolveImage +stigmer:local-image +resolved/);
  });

  it('a plugin built for an unknown major is refused: exit 78, naming the plugin and both API versions', async () => {
    const cwd = await project('2.0', images.name());
    const run = await stigmer(['image', 'resolve', '--json'], { cwd });
    expect(run.exitCode).toBe(78);
    const { error } = JSON.parse(run.stdout);
    expect(error.code).toBe('PLUGIN_INVALID');
    expect(error.message).toMatch(
      /^Plugin "api-2\.0" \(\.\/api\.mjs at plugins\[0\], file:\/\/.*\/api\.mjs\) was built for plugin API 2\.0; this stigmer provides plugin API 1\.\d+\. Install a version of the plugin built for API 1\.x/,
    );
    expect(error.details).toMatchObject({ plugin: 'api-2.0', apiVersion: '2.0' });

    const validated = await stigmer(['config', 'validate'], { cwd });
    expect(validated.exitCode).toBe(78);
    expect(validated.stderr).toContain('was built for plugin API 2.0');
  });
});
