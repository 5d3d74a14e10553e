#!/usr/bin/env node
// Renders the Homebrew formula for one release from stigmer.rb.tmpl.
//
// Usage: node packaging/homebrew/render-formula.mjs --version 1.2.3 --repository OWNER/NAME
//          --checksums SHA256SUMS [--out Formula/stigmer.rb]
// SHA256SUMS is what the release attaches: `sha256sum stigmer-*.tar.gz` output,
// one "<sha256>  stigmer-<version>-<os>-<arch>.tar.gz" line per binary. Every
// placeholder must get a value and every value must be well formed: a formula
// with a wrong checksum would only fail on the user's machine.
import { readFileSync, writeFileSync } from 'node:fs';

/** The binaries a formula installs, as named in the release's archives. */
const TARGETS = ['darwin-arm64', 'darwin-amd64', 'linux-arm64', 'linux-amd64'];

function fail(message) {
  console.error(`render-formula: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    if (!['--version', '--repository', '--checksums', '--out'].includes(name))
      fail(`unknown argument ${name}`);
    if (argv[i + 1] === undefined) fail(`${name} needs a value`);
    args[name.slice(2)] = argv[i + 1];
  }
  for (const name of ['version', 'repository', 'checksums']) if (!args[name]) fail(`--${name} is required`);
  return args;
}

/** sha256 per target, from sha256sum's output; every target exactly once. */
function checksums(text, version) {
  const found = {};
  for (const line of text.split('\n').filter((l) => l.trim())) {
    const match = /^([0-9a-f]{64}) [ *](\S+)$/.exec(line.trim());
    if (!match) fail(`not a sha256sum line: "${line}"`);
    const [, sha, file] = match;
    const target = TARGETS.find((t) => file === `stigmer-${version}-${t}.tar.gz`);
    if (!target) continue;
    if (found[target]) fail(`${file} is listed twice`);
    found[target] = sha;
  }
  const missing = TARGETS.filter((t) => !found[t]);
  if (missing.length) {
    fail(`no checksum for ${missing.map((t) => `stigmer-${version}-${t}.tar.gz`).join(', ')}`);
  }
  return found;
}

const args = parseArgs(process.argv.slice(2));
const version = args.version.replace(/^v/, '');
if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(version)) fail(`"${args.version}" is not a release version`);
if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(args.repository)) fail(`"${args.repository}" is not OWNER/NAME`);
const sha = checksums(readFileSync(args.checksums, 'utf8'), version);
const values = {
  version,
  repository: args.repository,
  ...Object.fromEntries(TARGETS.map((t) => [`sha256_${t.replace('-', '_')}`, sha[t]])),
};
const template = readFileSync(new URL('./stigmer.rb.tmpl', import.meta.url), 'utf8');
const formula = template.replace(/\{\{(\w+)\}\}/g, (_, name) =>
  name in values ? values[name] : fail(`the template has an unknown placeholder {{${name}}}`),
);
if (args.out) writeFileSync(args.out, formula);
else process.stdout.write(formula);
