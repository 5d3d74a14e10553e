import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageNames, tagImage } from '../plugins/helpers.js';
import { projectDir, stigmer } from './run.js';

/**
 * A CLI installed with Homebrew or npm runs from any folder: with no project
 * config, the user's own (`~/.stigmerrc`, `~/.config/stigmer/config.yaml`,
 * as cosmiconfig's global search names them) applies; a project config wins.
 * `HOME` is a temporary folder, and the CLI runs from an unrelated one.
 */

const images = imageNames('user-config');

async function folder(prefix: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** A plugin file next to the user config: relative plugin paths resolve from the config's folder. */
const NOTE_PLUGIN = `export default {
  name: 'user-note',
  version: '1.0.0',
  apiVersion: '1.0',
  apply(hooks) { hooks.resolveImage.tap((request, ctx) => { ctx.note('the user plugin ran'); return undefined; }); },
};
`;

describe('user-level config', () => {
  it('~/.config/stigmer/config.yaml applies from an unrelated folder; config print names it and where else it looked', async () => {
    const tag = images.name();
    await tagImage(tag);
    const home = await folder('stigmer-home-', {
      '.config/stigmer/config.yaml': `image:\n  localTag: ${tag}\nplugins:\n  - ./note.mjs\n  - local-image\n`,
      '.config/stigmer/note.mjs': NOTE_PLUGIN,
    });
    const cwd = await folder('stigmer-elsewhere-');
    const env = { HOME: home };
    const file = path.join(home, '.config/stigmer/config.yaml');

    const resolved = await stigmer(['image', 'resolve', '--explain'], { cwd, env });
    expect(resolved.exitCode).toBe(0);
    expect(resolved.stdout).toContain(`${tag} (`);
    expect(resolved.stdout).toMatch(/resolveImage +user-note +passed/);
    expect(resolved.stdout).toContain('the user plugin ran');

    const printed = await stigmer(['config', 'print'], { cwd, env });
    expect(printed.exitCode).toBe(0);
    const lines = printed.stdout.split('\n');
    const projectFolders = [cwd, ...ancestors(cwd)].join(', ');
    expect(lines.slice(0, 2)).toEqual([
      `# config file: ${file} (user-level: no project config was found)`,
      `# search order: ${projectFolders} (the project, up to its package.json), then ${home}, ${path.join(home, '.config/stigmer')} (user-level, only when the project has none)`,
    ]);
    expect(lines.find((l) => l.startsWith('image.localTag'))?.replace(/\s+/g, ' ')).toBe(
      `image.localTag ${tag} (file ${file})`,
    );
    const json = JSON.parse((await stigmer(['config', 'print', '--json'], { cwd, env })).stdout);
    expect(json).toMatchObject({ configFile: file, configScope: 'user', configSearch: { unused: [] } });
    expect(json.configSearch.order.at(-1)).toEqual({
      folder: path.join(home, '.config/stigmer'),
      scope: 'user',
    });
  });

  it('~/.stigmerrc comes before the user config folder, and $XDG_CONFIG_HOME moves that folder', async () => {
    const home = await folder('stigmer-home-', {
      '.stigmerrc': 'image: {localTag: "from-home-rc:1"}\n',
      '.config/stigmer/config.yaml': 'image: {localTag: "from-config-dir:1"}\n',
    });
    const xdg = await folder('stigmer-xdg-', {
      'stigmer/config.json': '{"image":{"localTag":"from-xdg:1"}}',
    });
    const cwd = await folder('stigmer-elsewhere-');
    const tagOf = async (env: Record<string, string>) => {
      const r = await stigmer(['config', 'print', '--json'], { cwd, env });
      return JSON.parse(r.stdout).settings.find((s: { key: string }) => s.key === 'image.localTag').value;
    };
    expect(await tagOf({ HOME: home })).toBe('from-home-rc:1');
    const noRc = await folder('stigmer-home-', {
      '.config/stigmer/config.yaml': 'image: {localTag: "dir:1"}\n',
    });
    expect(await tagOf({ HOME: noRc })).toBe('dir:1');
    expect(await tagOf({ HOME: noRc, XDG_CONFIG_HOME: xdg })).toBe('from-xdg:1');
  });

  it('a project config wins; config print lists the user-level file as found but not used', async () => {
    const home = await folder('stigmer-home-', {
      '.config/stigmer/config.yaml': 'image: {localTag: "user:1"}\n',
    });
    const cwd = await projectDir({ '.stigmerrc': 'image: {localTag: "project:1"}\n' });
    const printed = await stigmer(['config', 'print'], { cwd, env: { HOME: home } });
    expect(printed.exitCode).toBe(0);
    const lines = printed.stdout.split('\n');
    expect(lines[0]).toBe(`# config file: ${path.join(cwd, '.stigmerrc')} (project)`);
    expect(lines[2]).toBe(
      `# also found, not used (the project config wins): ${path.join(home, '.config/stigmer/config.yaml')}`,
    );
    expect(lines.find((l) => l.startsWith('image.localTag'))?.replace(/\s+/g, ' ')).toBe(
      `image.localTag project:1 (file ${path.join(cwd, '.stigmerrc')})`,
    );
  });

  it('an invalid user-level config is an error naming that file and key (exit 78)', async () => {
    const home = await folder('stigmer-home-', { '.config/stigmer/config.yaml': 'image: {localtag: x}\n' });
    const r = await stigmer(['image', 'resolve'], {
      cwd: await folder('stigmer-elsewhere-'),
      env: { HOME: home },
    });
    expect(r.exitCode).toBe(78);
    expect(r.stderr).toBe(
      `Invalid stigmer config in ${path.join(home, '.config/stigmer/config.yaml')} (1 problem):\n  - image.localtag: unknown key (not a stigmer setting)\n`,
    );
  });
});

/** The folders above `dir`, nearest first, up to the filesystem root. */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    out.push(d);
    if (path.dirname(d) === d) return out;
  }
}
