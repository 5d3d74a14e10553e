// `stigmer image resolve` with the image present locally, against the floor of
// any Node CLI (`node -e 0` of the same Node.js) and against `docker image
// inspect` of the same image, on Node.js 22 and 24, each with
// NODE_EXTRA_CA_CERTS unset (a user's machine) and set (CI's environment).
// Targets (issue 15): the local hit within 1.6x `node -e 0`, with a .stigmerrc
// or the first-party plugins installed beside it within 2.0x, the standalone
// binary (which carries Node.js 24) within 1.6x.
//
// Then a config naming the default chain with the first-party plugins
// installed beside it (`npm install -D @stigmer/plugin-...`, the normal case):
// with the CLI's version the bundled copies run; with another version they
// load from node_modules, with a second copy of core (what every installed
// plugin cost before the fast path).

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, ensureBusyboxImage, onVariant, table, variants } from './lib.mjs';

const bin = fileURLToPath(new URL('../packages/cli/bin/stigmer.js', import.meta.url));
const tag = process.env.STIGMER_BENCH_TAG ?? 'stigmer-bench/agent-runner:local';
const runs = Number(process.env.STIGMER_BENCH_RUNS ?? 15);

ensureBusyboxImage(tag);
// A folder with a package.json stops the config search; the image tag comes from the environment.
const bare = mkdtempSync(path.join(tmpdir(), 'stigmer-bench-'));
writeFileSync(path.join(bare, 'package.json'), '{}');
// The same with a .stigmerrc, which loads the config validator.
const withConfig = mkdtempSync(path.join(tmpdir(), 'stigmer-bench-config-'));
writeFileSync(path.join(withConfig, 'package.json'), '{}');
writeFileSync(path.join(withConfig, '.stigmerrc'), `image:\n  localTag: ${tag}\n`);

const env = { STIGMER_LOCAL_TAG: tag };
const repo = fileURLToPath(new URL('..', import.meta.url));
const chain = ['local-image', 'ghcr', 'build-hint', 'agent-runner'];
/**
 * A project whose .stigmerrc names the default chain, with those packages
 * installed (`same`: symlinked to the workspace packages, as `npm install`
 * of this version lays them out; `other`: copied with another version), or not (`none`).
 */
function chainProject(installed) {
  const dir = mkdtempSync(path.join(tmpdir(), 'stigmer-bench-installed-'));
  writeFileSync(path.join(dir, 'package.json'), '{}');
  writeFileSync(path.join(dir, '.stigmerrc'), `image:\n  localTag: ${tag}\nplugins: [${chain.join(', ')}]\n`);
  if (installed === 'none') return dir;
  mkdirSync(path.join(dir, 'node_modules/@stigmer'), { recursive: true });
  symlinkSync(path.join(repo, 'packages/core'), path.join(dir, 'node_modules/@stigmer/core'));
  for (const name of chain) {
    const source = path.join(repo, `packages/plugin-${name}`);
    const target = path.join(dir, `node_modules/@stigmer/plugin-${name}`);
    if (installed === 'same') {
      symlinkSync(source, target);
      continue;
    }
    for (const part of ['package.json', 'dist']) {
      cpSync(path.join(source, part), path.join(target, part), { recursive: true });
    }
    const manifest = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8'));
    writeFileSync(path.join(target, 'package.json'), JSON.stringify({ ...manifest, version: '9.9.9' }));
  }
  return dir;
}
const chainCases = [
  ['chain in .stigmerrc, not installed', 'none'],
  ['chain in .stigmerrc, installed, same version', 'same'],
  ['chain in .stigmerrc, installed, other version', 'other'],
].map(([label, installed]) => {
  const dir = chainProject(installed);
  // HOME: the one-time note of the other-version case is recorded in the project, not in your home.
  return [label, dir, { HOME: dir }];
});
// The standalone binary as `make sea` builds it (rebuilt only when a source changed).
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
if (spawnSync('make', ['--no-print-directory', 'sea'], { cwd: repoRoot, stdio: 'inherit' }).status !== 0) {
  throw new Error('make sea failed');
}
const sea = path.join(repoRoot, 'packages/cli/dist/sea/stigmer');
const seaNode = spawnSync(sea, ['--json', 'version'], { encoding: 'utf8', env: { ...process.env, ...env } });
const seaVersion = JSON.parse(seaNode.stdout).node.version;

const columns = variants();
/** The cases one Node.js runs: `args` after the node binary. */
const nodeCases = [
  ['node -e 0', ['-e', '0'], {}, bare],
  ['stigmer image resolve (no config file)', [bin, 'image', 'resolve'], env, bare],
  ['stigmer image resolve (.stigmerrc)', [bin, 'image', 'resolve'], {}, withConfig],
  ['stigmer --version', [bin, '--version'], {}, bare],
  ['plugins list (no config file)', [bin, 'plugins', 'list'], env, bare],
  ...chainCases.flatMap(([label, cwd, caseEnv]) => [
    [`plugins list (${label})`, [bin, 'plugins', 'list'], caseEnv, cwd],
    [`image resolve (${label})`, [bin, 'image', 'resolve'], caseEnv, cwd],
  ]),
];
const seaCases = [
  ['standalone binary: image resolve', ['image', 'resolve'], env, bare],
  ['standalone binary: --version', ['--version'], {}, bare],
];
const cases = [{ name: 'docker image inspect', cmd: 'docker', args: ['image', 'inspect', tag], cwd: bare }];
for (const variant of columns) {
  for (const [name, args, caseEnv, cwd] of nodeCases) {
    cases.push({
      name: onVariant(name, variant),
      cmd: variant.node,
      args,
      env: { ...caseEnv, ...variant.env },
      cwd,
    });
  }
  // The binary carries one Node.js: it runs in the columns of that version only.
  if (variant.version !== seaVersion) continue;
  for (const [name, args, caseEnv, cwd] of seaCases) {
    cases.push({ name: onVariant(name, variant), cmd: sea, args, env: { ...caseEnv, ...variant.env }, cwd });
  }
}
const results = compare(cases, { runs });
const rows = [...nodeCases.map(([name]) => name), ...seaCases.map(([name]) => name)];
table(
  `Local hit start-up: median ms and ratio to node -e 0 of the same Node.js and environment, ${runs} interleaved runs`,
  results,
  { rows, variants: columns, baseline: () => 'node -e 0' },
);
console.log(`  docker image inspect: median ${results['docker image inspect'].median.toFixed(1)} ms`);
console.log(
  '  targets: local hit <= 1.60x, with .stigmerrc <= 2.00x, chain installed (same version) <= 2.00x,',
);
console.log('           standalone binary <= 1.60x');
