import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, run } from './run.js';

// `npm run version-packages` (scripts/version.mjs: changesets, then our fix-ups) on a
// copy of the repository's package manifests, with a changeset of its own.
const current = JSON.parse(await readFile(path.join(REPO, 'packages/cli/package.json'), 'utf8'))
  .version as string;
const packageDirs = (await readdir(path.join(REPO, 'packages'))).sort();
const copies: string[] = [];
afterAll(async () => {
  await Promise.all(copies.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A copy of what `changeset version` reads and writes, with one pending changeset. */
async function repositoryCopy(bump: 'patch' | 'minor', summary: string): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'stigmer-it-version-'));
  copies.push(root);
  await cp(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
  // changesets 3 finds the workspace through the package manager, which it tells by the lockfile.
  await cp(path.join(REPO, 'package-lock.json'), path.join(root, 'package-lock.json'));
  await mkdir(path.join(root, '.changeset'));
  await cp(path.join(REPO, '.changeset/config.json'), path.join(root, '.changeset/config.json'));
  await writeFile(
    path.join(root, '.changeset/some-change.md'),
    `---\n"@stigmer/core": ${bump}\n---\n\n${summary}\n`,
  );
  await writeFile(
    path.join(root, 'CHANGELOG.md'),
    '# Changelog\n\n## Unreleased\n\n- Something users notice.\n',
  );
  for (const dir of packageDirs) {
    await mkdir(path.join(root, 'packages', dir, 'src'), { recursive: true });
    await cp(
      path.join(REPO, 'packages', dir, 'package.json'),
      path.join(root, 'packages', dir, 'package.json'),
    );
  }
  await mkdir(path.join(root, 'packages/cli/scripts'), { recursive: true });
  await cp(
    path.join(REPO, 'packages/cli/scripts/release-version.mjs'),
    path.join(root, 'packages/cli/scripts/release-version.mjs'),
  );
  // changesets loads its changelog writer from the repository's node_modules, as in the repository.
  await symlink(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

const manifest = async (root: string, dir: string) =>
  JSON.parse(await readFile(path.join(root, 'packages', dir, 'package.json'), 'utf8'));

function next(version: string, bump: 'patch' | 'minor'): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  return bump === 'minor' ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
}

describe('npm run version-packages (scripts/version.mjs)', () => {
  it.each(['minor', 'patch'] as const)(
    'a %s changeset gives every package the next version, the plugins ^that core, and the changelogs their entries',
    { timeout: 120_000 },
    async (bump) => {
      const root = await repositoryCopy(bump, 'Hooks changed shape.');
      const result = await run(process.execPath, [path.join(REPO, 'scripts/version.mjs'), root], {
        cwd: root,
      });
      expect(result.exitCode, result.stderr).toBe(0);
      const version = next(current, bump);
      for (const dir of packageDirs) {
        const pkg = await manifest(root, dir);
        expect(pkg.version, dir).toBe(version);
        for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
          if (name.startsWith('@stigmer/')) expect(range, `${dir} peer ${name}`).toBe(`^${version}`);
        }
        for (const [name, range] of Object.entries(pkg.devDependencies ?? {})) {
          if (name.startsWith('@stigmer/')) expect(range, `${dir} dev ${name}`).toBe(version);
        }
        expect(await readFile(path.join(root, 'packages', dir, 'src/package-version.ts'), 'utf8')).toContain(
          `export const VERSION = '${version}';`,
        );
      }
      // The changeset's own package tells what changed; the rest of the fixed group get the version.
      const kind = bump === 'minor' ? 'Minor' : 'Patch';
      expect(await readFile(path.join(root, 'packages/core/CHANGELOG.md'), 'utf8')).toContain(
        `## ${version}\n\n### ${kind} Changes\n\n- Hooks changed shape.\n`,
      );
      expect(await readFile(path.join(root, 'packages/plugin-ghcr/CHANGELOG.md'), 'utf8')).toContain(
        `## ${version}`,
      );
      expect(await readdir(path.join(root, '.changeset'))).toEqual(['config.json']);
      expect(await readFile(path.join(root, 'CHANGELOG.md'), 'utf8')).toMatch(
        new RegExp(
          `## Unreleased\\n\\n## ${version.replace(/\./g, '\\.')} \\(\\d{4}-\\d\\d-\\d\\d\\)\\n\\n- Something users notice\\.\\n`,
        ),
      );
      // What the release workflow checks first: the tag against every package.
      const checked = await run(
        process.execPath,
        ['packages/cli/scripts/release-version.mjs', `v${version}`],
        {
          cwd: root,
        },
      );
      expect(checked).toEqual({ exitCode: 0, stdout: `${version}\n`, stderr: '' });
    },
  );
});
