// Builds the standalone `stigmer` executable with Node's single-executable-
// application (SEA) support, so that a user without Node can run the CLI:
//   1. bundle.mjs --single --snapshot: the whole CLI as one CommonJS file (a
//      SEA runs one script), written as the main script of a start-up snapshot;
//   2. node --experimental-sea-config: that file run once, every module loaded,
//      and the heap it leaves saved in the preparation blob (useSnapshot), by
//      the same node binary that will carry it; the binary then starts from
//      that heap instead of loading the CLI (snapshot.mjs says what stays out);
//   3. a copy of that node binary with the blob injected by postject (macOS:
//      signature removed first and an ad-hoc one added after);
//   4. the result runs `--version`, which must print the embedded version.
//
// Usage: node scripts/sea.mjs [--out PATH] [--node PATH] [--no-snapshot]
//   --out          the executable to write (default dist/sea/stigmer)
//   --node         the node binary to copy (default: the project's own Node.js
//                  24 LTS, node_modules/node, whatever Node.js runs this script)
//   --no-snapshot  the script and its V8 code cache instead of a snapshot
// The version is package.json's `-dev`, or STIGMER_VERSION (a release's tag).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary as projectNode } from '../../../scripts/node-lines.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? path.resolve(args[at + 1]) : fallback;
};
const out = option('--out', path.join(root, 'dist/sea/stigmer'));
const nodeBinary = option('--node', undefined) ?? projectNode('24');
const snapshot = !args.includes('--no-snapshot');
const work = path.join(root, 'dist/sea');
const script = path.join(work, 'stigmer.cjs');
const blob = path.join(work, 'stigmer.blob');
const configFile = path.join(work, 'sea-config.json');
const darwin = process.platform === 'darwin';
// The fuse Node's binary carries until a blob is injected (documented in Node's SEA guide).
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const started = performance.now();
const step = (what, run) => {
  const t = performance.now();
  const result = run();
  console.log(`sea: ${what} (${Math.round(performance.now() - t)} ms)`);
  return result;
};
const run = (cmd, cmdArgs) => execFileSync(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'inherit'] }).toString();
const nodeVersion = () => run(nodeBinary, ['--version']).trim();

/**
 * node --experimental-sea-config. Node warns, for each of node:child_process,
 * node:tty and node:module, that it has not verified the module in snapshots;
 * the standalone tests run the binary through every path that uses them, so
 * those warnings become one line. Anything else it prints is shown as it is.
 */
function prepare() {
  const result = spawnSync(nodeBinary, ['--experimental-sea-config', configFile], { encoding: 'utf8' });
  const unverified = [];
  const rest = result.stderr.replace(
    /^\(node:\d+\) Warning: It's not yet fully verified whether built-in module "([^"]+)" works in user snapshot builder scripts\.\n(?:(?:It may|To request|\(Use `).*\n)*/gm,
    (_, name) => {
      unverified.push(name);
      return '';
    },
  );
  if (unverified.length) console.log(`sea: Node.js has not verified ${unverified.join(', ')} in snapshots`);
  process.stderr.write(rest);
  if (result.status !== 0) {
    throw new Error(
      `sea: node --experimental-sea-config failed (${result.signal ?? `exit ${result.status}`})`,
    );
  }
}

mkdirSync(work, { recursive: true });
const bundled = step('one CommonJS file', () =>
  run(process.execPath, [
    path.join(root, 'scripts/bundle.mjs'),
    '--single',
    ...(snapshot ? ['--snapshot'] : []),
    '--outfile',
    script,
  ]),
);
const version = /@stigmer\/cli (\S+) into/.exec(bundled)?.[1];
if (!version) throw new Error(`sea: bundle.mjs did not say which version it embedded:\n${bundled}`);

writeFileSync(
  configFile,
  JSON.stringify(
    {
      main: script,
      output: blob,
      // The warning is for the SEA feature itself; stigmer's users can do nothing about it.
      disableExperimentalSEAWarning: true,
      // The heap after loading every module (the snapshot), or at least V8's
      // compiled code, so start-up skips compiling the 2 MB script.
      ...(snapshot ? { useSnapshot: true } : { useCodeCache: true }),
    },
    null,
    2,
  ),
);
step(`preparation blob${snapshot ? ' with a start-up snapshot' : ''} by Node.js ${nodeVersion()}`, () =>
  prepare(),
);

rmSync(out, { force: true });
mkdirSync(path.dirname(out), { recursive: true });
step(`copy of ${nodeBinary}`, () => copyFileSync(nodeBinary, out));
chmodSync(out, 0o755);
if (darwin) run('codesign', ['--remove-signature', out]);
const { inject } = createRequire(import.meta.url)('postject');
await inject(out, 'NODE_SEA_BLOB', readFileSync(blob), {
  sentinelFuse: SENTINEL_FUSE,
  ...(darwin ? { machoSegmentName: 'NODE_SEA' } : {}),
});
console.log('sea: blob injected');
// macOS runs only signed code on Apple silicon; an ad-hoc signature is enough for a local binary.
if (darwin) run('codesign', ['--sign', '-', out]);

const printed = run(out, ['--version']).trim();
if (printed !== version) {
  throw new Error(`sea: ${out} --version printed "${printed}", expected the embedded "${version}"`);
}
console.log(`sea: ${out} (stigmer ${version}) in ${Math.round(performance.now() - started)} ms`);
