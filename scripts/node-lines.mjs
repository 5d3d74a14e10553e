#!/usr/bin/env node
// The Node.js lines stigmer is tested and measured on, each the official build
// that the npm registry's `node` package installs:
//   24  the project's own: a dev dependency of the root (npm ci installs it),
//       first on PATH in every npm script, and what the standalone binary carries;
//   22  the older LTS line users still run: tools/node-22, installed here on first use.
//
//   node scripts/node-lines.mjs LINE              prints that line's node binary
//   node scripts/node-lines.mjs LINE CMD ARGS...  runs CMD with that node first on PATH
//                                                 (and node_modules/.bin after it)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where each line's `node` package is installed (its package.json names the binary). */
const PACKAGES = {
  22: { dir: path.join(ROOT, 'tools/node-22'), install: true },
  24: { dir: ROOT, install: false },
};

/** The lines, oldest first. */
export const NODE_LINES = Object.keys(PACKAGES);

/**
 * The node binary of `line` (`'22'`, `'24'`), installing tools/node-<line> with
 * `npm ci` when it is missing. Throws when the installed version is not of that line.
 */
export function nodeBinary(line) {
  const where = PACKAGES[line];
  if (!where) throw new Error(`node-lines: no Node.js line ${line}; known: ${NODE_LINES.join(', ')}`);
  const manifest = path.join(where.dir, 'node_modules/node/package.json');
  if (!existsSync(manifest) && where.install) install(where.dir);
  if (!existsSync(manifest)) throw new Error(`node-lines: no ${manifest}; run npm ci first`);
  const { version, bin } = JSON.parse(readFileSync(manifest, 'utf8'));
  if (version.split('.')[0] !== line) {
    throw new Error(`node-lines: ${manifest} is Node.js ${version}, not of the ${line} line`);
  }
  const binary = path.join(path.dirname(manifest), bin.node);
  // The package's preinstall script makes the binary; without it (scripts not allowed) there is none.
  if (!existsSync(binary))
    throw new Error(`node-lines: ${binary} is missing: did npm run its preinstall script?`);
  return binary;
}

function install(dir) {
  // Progress to stderr: stdout is the binary's path.
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', dir], {
    stdio: ['ignore', 2, 'inherit'],
  });
  if (result.status !== 0)
    throw new Error(`node-lines: npm ci --prefix ${dir} failed (exit ${result.status})`);
}

/** The environment that puts `binary` first on PATH, then the repository's node_modules/.bin. */
export function envFor(binary, env = process.env) {
  const bins = [path.dirname(binary), path.join(ROOT, 'node_modules/.bin')];
  return { ...env, PATH: [...bins, env.PATH ?? ''].join(path.delimiter) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [line, command, ...args] = process.argv.slice(2);
  try {
    const binary = nodeBinary(line);
    if (!command) {
      console.log(binary);
    } else {
      const result = spawnSync(command, args, { stdio: 'inherit', env: envFor(binary) });
      if (result.error) throw result.error;
      process.exitCode = result.status ?? 1;
    }
  } catch (error) {
    console.error(error.message);
    process.exitCode = 2;
  }
}
