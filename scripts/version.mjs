#!/usr/bin/env node
// `npm run version-packages`: turns the pending changesets (.changeset/*.md) into a
// release. Commit what it changed and tag that commit v<version>; the release
// workflow does the rest (see "Releasing" in the README).
//
//   1. `changeset version`: every @stigmer/* package gets the next version
//      (one "fixed" group), its internal ranges and its CHANGELOG.md entry;
//   2. the plugins' peer ranges on @stigmer/core become ^<version>;
//   3. src/package-version.ts follows package.json (scripts/write-versions.mjs);
//   4. the root CHANGELOG.md's "## Unreleased" section becomes the release's.
//
// Step 2 works around changesets' rule for peer dependencies, made for
// packages past 1.0: a minor release of a peer makes its dependents major, so
// a 0.x minor (our breaking release) would turn every package into 1.0.0.
// While changesets runs, the first-party peer ranges accept any version; then
// they are set to the new minor.
//
//   node scripts/version.mjs [ROOT]    ROOT: the repository (default: this one)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, workspacePackages } from './workspace.mjs';
import { writeVersions } from './write-versions.mjs';

const root = path.resolve(process.argv[2] ?? ROOT);
const changeset = path.join(ROOT, 'node_modules/.bin/changeset');

/** Sets every first-party peer range of the workspace packages to `range(peer, manifest, packages)`. */
function setFirstPartyPeers(range) {
  const packages = workspacePackages(root);
  const names = new Set(packages.map((p) => p.manifest.name));
  for (const { file, manifest } of packages) {
    const peers = manifest.peerDependencies ?? {};
    const first = Object.keys(peers).filter((name) => names.has(name));
    if (first.length === 0) continue;
    for (const name of first) peers[name] = range(name, manifest, packages);
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

const before = new Map(workspacePackages(root).map((p) => [p.manifest.name, p.manifest.peerDependencies]));
setFirstPartyPeers(() => '*');
const result = spawnSync(changeset, ['version'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  // Leave the ranges as they were; changesets changed nothing else when it failed.
  setFirstPartyPeers((name, manifest) => before.get(manifest.name)[name]);
  process.exit(result.status ?? 1);
}
setFirstPartyPeers(
  (name, _, packages) => `^${packages.find((p) => p.manifest.name === name).manifest.version}`,
);
writeVersions({ root });

const version = JSON.parse(readFileSync(path.join(root, 'packages/cli/package.json'), 'utf8')).version;
const changelog = path.join(root, 'CHANGELOG.md');
const text = readFileSync(changelog, 'utf8');
if (text.includes('\n## Unreleased\n')) {
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(changelog, text.replace('\n## Unreleased\n', `\n## Unreleased\n\n## ${version} (${date})\n`));
}
console.log(`version: every package is now ${version}; commit, then tag the commit v${version}`);
