#!/usr/bin/env node
// Checks a release tag against the one source of the version and prints the
// version: `node packages/cli/scripts/release-version.mjs v1.2.3` -> `1.2.3`.
//
// Every package has one version (a changesets "fixed" group): the CLI embeds
// it and derives the agent-runner image tag from it. `npm run version-packages`
// (changesets) sets it in every package and their @stigmer/* ranges; the
// commit it makes is tagged v<version>. The release workflow runs this first,
// so a tag that disagrees with what npm would publish stops the release
// before anything is built or pushed.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const tag = process.argv[2] ?? '';
const problems = [];
const match = /^v(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(tag);
if (!match) {
  console.error(`release-version: "${tag}" is not a release tag (v<major>.<minor>.<patch>[-prerelease])`);
  process.exit(1);
}
const version = match[1];

const packagesDir = path.join(repo, 'packages');
for (const dir of readdirSync(packagesDir)) {
  const file = path.join(packagesDir, dir, 'package.json');
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    continue; // not a package folder
  }
  if (pkg.private) continue;
  const where = path.relative(repo, file);
  if (pkg.version !== version) problems.push(`${where}: version is ${pkg.version}`);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
    // Plugins take core as a peer with a caret range (any core of this minor,
    // as docs/plugins.md tells third parties); everything else is exact.
    const wanted = field === 'peerDependencies' ? `^${version}` : version;
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (name.startsWith('@stigmer/') && range !== wanted) {
        problems.push(`${where}: ${field}.${name} is ${range}, not ${wanted}`);
      }
    }
  }
}
if (problems.length) {
  console.error(
    [
      `release-version: tag ${tag} does not match the packages (expected ${version} everywhere):`,
      ...problems.map((p) => `  - ${p}`),
      'Run `npm run version-packages` (changesets sets every version), commit, and tag that commit v<version>.',
    ].join('\n'),
  );
  process.exit(1);
}
console.log(version);
