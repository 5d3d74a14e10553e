import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { harness } from '../harness/context.js';
import { imageNames, installPackage, ROOT, tagImage } from '../plugins/helpers.js';
import { projectDir, stigmer } from './run.js';

// The normal case after `npm install -D @stigmer/plugin-ghcr ...`: the
// config names first-party plugins that are installed beside it. With the
// CLI's own version the bundled copy runs (no second copy of core to load);
// with another version the installed one runs, and the user is told once.
const version = JSON.parse(await readFile(path.join(ROOT, 'packages/cli/package.json'), 'utf8'))
  .version as string;
const CHAIN = ['local-image', 'ghcr', 'build-hint', 'agent-runner'];
const images = imageNames('installed');

/** A project whose .stigmerrc names the default chain, with those packages (and core) in node_modules. */
async function project(localTag: string, versions: Record<string, string> = {}) {
  const cwd = await projectDir({
    '.stigmerrc': `image: {localTag: "${localTag}"}\nplugins: [${CHAIN.join(', ')}]\n`,
  });
  await mkdir(path.join(cwd, 'node_modules/@stigmer'), { recursive: true });
  await symlink(path.join(ROOT, 'packages/core'), path.join(cwd, 'node_modules/@stigmer/core'));
  for (const name of CHAIN) {
    const installed = await installPackage(
      cwd,
      path.join(ROOT, `packages/plugin-${name}`),
      `@stigmer/plugin-${name}`,
    );
    const other = versions[name];
    if (!other) continue;
    // Another release of the package: its package.json and the version its code reports.
    const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8'));
    await writeFile(path.join(installed, 'package.json'), JSON.stringify({ ...manifest, version: other }));
    await writeFile(path.join(installed, 'dist/package-version.js'), `export const VERSION = '${other}';\n`);
  }
  return cwd;
}

const installedDir = (cwd: string, name: string) => path.join(cwd, 'node_modules/@stigmer', `plugin-${name}`);

describe('first-party plugins installed beside the config', () => {
  it('run as the bundled copies when they have the CLI’s version, and plugins list says so', async () => {
    const cwd = await project(images.name());
    const result = await stigmer(['plugins', 'list', '--json'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const rows = JSON.parse(result.stdout).plugins.filter((p: { index: number }) => p.index >= 0);
    expect(rows.map((r: { name: string; version: string }) => [r.name, r.version])).toEqual(
      CHAIN.map((name) => [`stigmer:${name}`, version]),
    );
    for (const [i, name] of CHAIN.entries()) {
      expect(rows[i]).toMatchObject({
        loadedFrom: `bundled with stigmer (@stigmer/plugin-${name}; the copy installed in ${installedDir(cwd, name)} is the same version, ${version})`,
        installed: { version, path: installedDir(cwd, name) },
      });
    }
  });

  it('--explain lists the installed plugins and which copy ran', async () => {
    const localTag = images.name();
    await tagImage(localTag);
    const cwd = await project(localTag);
    const result = await stigmer(['image', 'resolve', '--explain'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    const at = lines.indexOf('Plugins:');
    expect(lines.slice(at + 1, at + 1 + CHAIN.length)).toEqual(
      CHAIN.map((name) =>
        expect.stringMatching(
          new RegExp(
            `^  stigmer:${name} +bundled with stigmer \\(@stigmer/plugin-${name}; the copy installed in .* is the same version, ${version.replace(/\./g, '\\.')}\\)$`,
          ),
        ),
      ),
    );
    expect(lines[at + 1 + CHAIN.length]).toBe('Decisions:');
  });

  it('run from node_modules when they have another version, with a note shown once', async () => {
    const localTag = images.name();
    await tagImage(localTag);
    const cwd = await project(localTag, { ghcr: '9.9.9' });
    const first = await stigmer(['image', 'resolve', '--explain'], { cwd });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${localTag} (${harness().testImage.id.slice(0, 19)}`);
    expect(first.stdout).toContain(
      `  stigmer:ghcr          ${path.join(installedDir(cwd, 'ghcr'), 'dist/index.js')} (installed 9.9.9; stigmer bundles ${version})`,
    );
    expect(first.stderr).toBe(
      `warning: stigmer:ghcr: @stigmer/plugin-ghcr 9.9.9 is installed in ${installedDir(cwd, 'ghcr')}, and stigmer ${version}-dev bundles ${version}: the installed copy runs, with a second copy of @stigmer/core, and start-up is slower. To use the bundled copy, install @stigmer/plugin-ghcr@${version} (or the stigmer version that matches 9.9.9). This note is shown once; \`stigmer plugins list\` shows where each plugin comes from.\n`,
    );

    const listed = await stigmer(['plugins', 'list', '--json'], { cwd });
    expect(listed.stderr).toBe('');
    const ghcr = JSON.parse(listed.stdout).plugins.find((p: { name: string }) => p.name === 'stigmer:ghcr');
    // 9.9.9 is what the installed code reports: it, not the bundled copy, ran.
    expect(ghcr).toMatchObject({
      version: '9.9.9',
      loadedFrom: `${path.join(installedDir(cwd, 'ghcr'), 'dist/index.js')} (installed 9.9.9; stigmer bundles ${version})`,
      installed: { version: '9.9.9', path: installedDir(cwd, 'ghcr') },
    });
    const notices = JSON.parse(await readFile(path.join(cwd, '.stigmer/data/notices.json'), 'utf8'));
    expect(Object.keys(notices)).toEqual([
      `@stigmer/plugin-ghcr@9.9.9 with stigmer ${version}-dev bundling ${version}`,
    ]);
  });
});
