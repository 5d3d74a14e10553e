#!/usr/bin/env node
// Writes each package's `src/package-version.ts` from its package.json, so a
// version is set in one place (package.json, bumped by `changeset version`)
// and the code that reports it (plugin versions in `stigmer plugins list`,
// the CLI's own) can never disagree with what npm installed.
//
//   node scripts/write-versions.mjs          write the files that differ
//   node scripts/write-versions.mjs --check  list stale files and exit 1
//
// `npm run build` and `npm run version-packages` write them; `npm run check` checks.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, workspacePackages } from './workspace.mjs';

/** The generated module's path inside a package. */
export const VERSION_FILE = 'src/package-version.ts';

/** The generated module for a package. */
export function versionModule({ name, version }) {
  return [
    '// Generated from package.json by scripts/write-versions.mjs (npm run build): do not edit.',
    '',
    `/** The version of ${name}, as its package.json says. */`,
    `export const VERSION = '${version}';`,
    '',
  ].join('\n');
}

/** Writes (or with `check`, only compares) every package's file; returns the stale ones. */
export function writeVersions({ root = ROOT, check = false } = {}) {
  const stale = [];
  for (const { dir, manifest } of workspacePackages(root)) {
    if (!existsSync(path.join(dir, 'src'))) continue;
    const file = path.join(dir, VERSION_FILE);
    const wanted = versionModule(manifest);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current === wanted) continue;
    stale.push(path.relative(root, file));
    if (!check) writeFileSync(file, wanted);
  }
  return stale;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const check = process.argv.includes('--check');
  const stale = writeVersions({ check });
  if (check && stale.length) {
    console.error(
      [
        'write-versions: these files do not match their package.json version:',
        ...stale.map((file) => `  - ${file}`),
        'Run `node scripts/write-versions.mjs` (npm run build does) and commit them.',
      ].join('\n'),
    );
    process.exit(1);
  }
}
