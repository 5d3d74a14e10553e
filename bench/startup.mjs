// `stigmer image resolve` with the image present locally, against the floor of
// any Node CLI (`node -e 0`) and against `docker image inspect` of the same image.
// Target (issue 2): the local hit within 1.5x `node -e 0`.
import { mkdtempSync, writeFileSync } from 'node:fs';
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
  ],
  { runs },
);
report(`Local hit start-up, ${runs} interleaved runs each, Node ${process.version}`, results, 'node -e 0');
const ratio = results['stigmer image resolve (no config file)'].median / results['node -e 0'].median;
console.log(`\n  local hit / node -e 0 = ${ratio.toFixed(2)}x (target <= 1.50x)`);
console.log(
  `  local hit / docker image inspect = ${(results['stigmer image resolve (no config file)'].median / results['docker image inspect'].median).toFixed(2)}x`,
);
