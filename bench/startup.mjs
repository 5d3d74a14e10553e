// `stigmer image resolve` with the image present locally, against the floor of
// any Node CLI (`node -e 0`) and against `docker image inspect` of the same image.
// Target (issue 2): the local hit within 1.5x `node -e 0`.
//
// Then a config naming the default chain with the first-party plugins
// installed beside it (`npm install -D @stigmer/plugin-...`, the normal case):
// with the CLI's version the bundled copies run; with another version they
// load from node_modules, with a second copy of core (what every installed
// plugin cost before the fast path).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, ensureBusyboxImage, report } from './lib.mjs';

const bin = fileURLToPath(new URL('../packages/cli/bin/stigmer.js', import.meta.url));
const tag = process.env.STIGMER_BENCH_TAG ?? 'stigmer-bench/agent-runner:local';
const runs = Number(process.env.STIGMER_BENCH_RUNS ?? 21);

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
const results = compare(
  [
    { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'], cwd: bare },
    { name: 'docker image inspect', cmd: 'docker', args: ['image', 'inspect', tag], cwd: bare },
    {
      name: 'stigmer image resolve (no config file)',
      cmd: process.execPath,
      args: [bin, 'image', 'resolve'],
      env,
      cwd: bare,
    },
    {
      name: 'stigmer image resolve (.stigmerrc)',
      cmd: process.execPath,
      args: [bin, 'image', 'resolve'],
      cwd: withConfig,
    },
    { name: 'stigmer --version', cmd: process.execPath, args: [bin, '--version'], cwd: bare },
    {
      name: 'plugins list (no config file)',
      cmd: process.execPath,
      args: [bin, 'plugins', 'list'],
      env,
      cwd: bare,
    },
    ...chainCases.flatMap(([label, cwd, caseEnv]) => [
      {
        name: `plugins list (${label})`,
        cmd: process.execPath,
        args: [bin, 'plugins', 'list'],
        env: caseEnv,
        cwd,
      },
      {
        name: `image resolve (${label})`,
        cmd: process.execPath,
        args: [bin, 'image', 'resolve'],
        env: caseEnv,
        cwd,
      },
    ]),
  ],
  { runs },
);
report(`Local hit start-up, ${runs} interleaved runs each, Node ${process.version}`, results, 'node -e 0');
const ratio = results['stigmer image resolve (no config file)'].median / results['node -e 0'].median;
console.log(`\n  local hit / node -e 0 = ${ratio.toFixed(2)}x (target <= 1.50x)`);
console.log(
  `  local hit / docker image inspect = ${(results['stigmer image resolve (no config file)'].median / results['docker image inspect'].median).toFixed(2)}x`,
);
for (const command of ['plugins list', 'image resolve']) {
  const [notInstalled, same, other] = chainCases.map(([label]) => results[`${command} (${label})`].median);
  console.log(
    `  ${command}, chain installed: same version (bundled copies) / not installed = ${(same / notInstalled).toFixed(2)}x; ` +
      `other version (node_modules) / same version = ${(other / same).toFixed(2)}x`,
  );
}
