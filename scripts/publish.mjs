#!/usr/bin/env node
// Publishes the workspace packages to the npm registry npm is configured
// for, one at a time, in dependency order (scripts/workspace.mjs): a package
// goes out only after everything it needs once installed, so a release that
// fails part-way never leaves a plugin on npm without its @stigmer/core. A
// version that the registry already has is skipped, so rerunning after a
// failure publishes what is missing. It stops at the first failure.
//
// changesets 3's `changeset publish` also skips and goes in dependency order,
// but publishes each level's packages at once (every plugin together once
// core is out, so a failure can leave some of them published), tags each
// package in git and checks no `repository` field before the first publish.
// changesets versions (scripts/version.mjs); this publishes.
//
//   node scripts/publish.mjs [--tag TAG] [--provenance] [--dry-run]
//
// In GitHub Actions with `id-token: write`, npm (11.5.1 or later) signs in
// through trusted publishing (OIDC): no token is stored anywhere.
import { execFile, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { publishOrder, ROOT, workspacePackages } from './workspace.mjs';

const { values: flags } = parseArgs({
  options: {
    tag: { type: 'string', default: 'latest' },
    provenance: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
  },
});

const order = publishOrder(workspacePackages());
const fail = (message) => {
  console.error(`publish: ${message}`);
  process.exit(1);
};

// npm checks provenance against `repository`: a mismatch would fail after the first packages went out.
const repository = process.env.GITHUB_REPOSITORY;
if (repository) {
  const wrong = order.filter(
    ({ manifest }) =>
      !new RegExp(`github\\.com/${repository}(\\.git)?$`, 'i').test(manifest.repository?.url ?? ''),
  );
  if (wrong.length) {
    fail(
      `these packages' repository.url does not name ${repository}, where this runs, so npm would refuse their provenance: ${wrong.map((p) => p.manifest.name).join(', ')}`,
    );
  }
}

/** Whether the registry has this exact version already (`npm view`, so npm's registry and auth settings apply). */
function published({ name, version }) {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['view', `${name}@${version}`, 'version', '--json'],
      { cwd: ROOT },
      (error, stdout, stderr) => {
        if (!error) resolve(stdout.trim() !== '');
        else if (/\bE404\b/.test(stderr)) resolve(false);
        else fail(`cannot ask the registry about ${name}@${version}:\n${stderr.trim()}`);
      },
    );
  });
}

const skips = await Promise.all(order.map((pkg) => published(pkg.manifest)));
const plan = order.map((pkg, i) => ({ ...pkg, skip: skips[i] }));
console.log(`publish: in this order, with dist-tag ${flags.tag}:`);
for (const { manifest, skip } of plan) {
  console.log(`  ${manifest.name}@${manifest.version}${skip ? ' (already published, skipped)' : ''}`);
}
if (flags['dry-run']) process.exit(0);

const done = [];
for (const [i, { dir, manifest, skip }] of plan.entries()) {
  if (skip) continue;
  const args = ['publish', dir, '--access', 'public', '--tag', flags.tag];
  if (flags.provenance) args.push('--provenance');
  const result = spawnSync('npm', args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    const left = plan.slice(i).filter((p) => !p.skip);
    fail(
      [
        `${manifest.name}@${manifest.version} failed to publish (npm exited ${result.status}).`,
        `Published before it: ${done.join(', ') || 'nothing'}.`,
        `Not published: ${left.map((p) => `${p.manifest.name}@${p.manifest.version}`).join(', ')}.`,
        'Nothing published depends on what is missing. Fix the cause and run this again: it skips what is already published.',
      ].join('\n'),
    );
  }
  done.push(`${manifest.name}@${manifest.version}`);
}
console.log(`publish: ${done.length} published, ${plan.length - done.length} already on the registry`);
