#!/usr/bin/env node
// Checks what npm would publish, from the tarballs themselves (`npm run
// check` runs it after the build):
//
// - publint: package.json fields against the packed files;
// - @arethetypeswrong/core (attw's engine, profile "esm-only"): every entry
//   point's types resolve under TypeScript's node16 and bundler resolution;
// - our own rules: LICENSE in the tarball, `repository` with this package's
//   folder, no tests or build leftovers, source maps whose sources are in the
//   tarball, export targets that exist (the in-repo `@stigmer/source`
//   condition included), and dependencies that are exactly what the packed
//   code imports.
//
// A new entry point needs nothing here: entry points are read from "exports".
//
//   node scripts/check-packages.mjs           every public workspace and the example plugin
//   node scripts/check-packages.mjs DIR...    those package folders
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { problemAffectsResolutionKind, problemKindInfo } from '@arethetypeswrong/core/problems';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import ts from 'typescript';
import { ROOT, workspacePackages } from './workspace.mjs';

/** Packages checked besides the workspaces: the example third-party plugin. */
const EXTRA = ['examples/stigmer-plugin-example'];
/** Export conditions a package may use; `@stigmer/source` is for the repository's own tools. */
const CONDITIONS = new Set(['@stigmer/source', 'types', 'import', 'default']);
/** What the esm-only profile of attw checks: ESM consumers (these packages have no CommonJS entry). */
const RESOLUTION_KINDS = ['node16-esm', 'bundler'];
/**
 * Imports a package makes on purpose without declaring them: the CLI's
 * bundled ssh2 tries cpu-features inside try/catch and does without it.
 */
const OPTIONAL_IMPORTS = { '@stigmer/cli': ['cpu-features'] };
/** Files that must never be published. */
const LEFTOVERS =
  /(^|\/)(tsconfig(\..*)?\.json|.*\.tsbuildinfo|.*\.test(-d)?\.[cm]?[jt]s|test-support\/.*|\.DS_Store)$/;

const rootManifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const license = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');

// Package folders to check: the arguments, else every public workspace and the example.
const dirs =
  process.argv.length > 2
    ? process.argv.slice(2).map((dir) => path.resolve(dir))
    : [
        ...workspacePackages()
          .filter((p) => !p.manifest.private)
          .map((p) => p.dir),
        ...EXTRA.map((d) => path.join(ROOT, d)),
      ];
const packed = pack(dirs);
let failed = 0;
for (const { dir, tarball, files } of packed) {
  const manifest = JSON.parse(files.get('package.json').toString('utf8'));
  const problems = [
    ...(await publintProblems(tarball)),
    ...(await typeProblems(tarball)),
    ...ownProblems(dir, manifest, files),
  ];
  const size = `${files.size} files, ${(tarball.length / 1024).toFixed(1)} kB packed`;
  if (problems.length === 0) {
    console.log(`ok   ${manifest.name}@${manifest.version} (${size})`);
    continue;
  }
  failed++;
  console.log(`FAIL ${manifest.name}@${manifest.version} (${size})`);
  for (const problem of problems) console.log(`     - ${problem.replace(/\n/g, '\n       ')}`);
}
if (failed) {
  console.error(`check-packages: ${failed} of ${packed.length} packages would publish with problems`);
  process.exit(1);
}

/** `npm pack` of every folder, read back: the tarball bytes and its files by path. */
function pack(folders) {
  const destination = mkdtempSync(path.join(tmpdir(), 'stigmer-pack-'));
  try {
    const result = spawnSync(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', destination, ...folders],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
    const listed = JSON.parse(result.stdout);
    return listed.map((entry, i) => {
      const tarball = readFileSync(path.join(destination, entry.filename));
      return { dir: folders[i], tarball, files: untar(gunzipSync(tarball)) };
    });
  } finally {
    rmSync(destination, { recursive: true, force: true });
  }
}

/** The files of a tar archive (npm's: regular files under `package/`), by path without that prefix. */
function untar(buffer) {
  const files = new Map();
  let longName;
  for (let offset = 0; offset + 512 <= buffer.length; ) {
    const header = buffer.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start, length) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const body = buffer.subarray(offset + 512, offset + 512 + size);
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '') files.set(name.replace(/^package\//, ''), body);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

async function publintProblems(tarball) {
  const { messages, pkg } = await publint({
    pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
    level: 'warning',
  });
  return messages.map((m) => `publint ${m.type}: ${stripAnsi(formatMessage(m, pkg) ?? m.code)}`);
}

async function typeProblems(tarball) {
  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(tarball)));
  if (!analysis.types) return []; // nothing typed to import: the CLI is a bin only
  return analysis.problems
    .filter((problem) =>
      RESOLUTION_KINDS.some((kind) => problemAffectsResolutionKind(problem, kind, analysis)),
    )
    .map((problem) => {
      const where = 'entrypoint' in problem ? ` (${problem.entrypoint}, ${problem.resolutionKind})` : '';
      return `attw ${problem.kind}${where}: ${problemKindInfo[problem.kind].description}`;
    });
}

function ownProblems(dir, manifest, files) {
  const folder = path.relative(ROOT, dir).split(path.sep).join('/');
  const problems = [];
  if (files.get('LICENSE')?.toString('utf8') !== license)
    problems.push('LICENSE is missing or differs from the repository LICENSE');
  if (manifest.license !== rootManifest.license)
    problems.push(`license is ${manifest.license}, not ${rootManifest.license}`);
  const repository = manifest.repository ?? {};
  if (repository.url !== rootManifest.repository.url || repository.directory !== folder) {
    problems.push(
      `repository must be { url: ${rootManifest.repository.url}, directory: ${folder} } (npm provenance checks it)`,
    );
  }
  for (const name of files.keys()) if (LEFTOVERS.test(name)) problems.push(`${name} should not be published`);
  problems.push(
    ...mapProblems(files),
    ...exportProblems(manifest, files),
    ...dependencyProblems(manifest, files),
  );
  return problems;
}

/** Source maps are only worth shipping when what they point at is shipped too (or embedded). */
function mapProblems(files) {
  const problems = [];
  for (const [name, body] of files) {
    if (!name.endsWith('.map')) continue;
    const map = JSON.parse(body.toString('utf8'));
    map.sources.forEach((source, i) => {
      const target = path.posix.join(path.posix.dirname(name), map.sourceRoot ?? '', source);
      if (!files.has(target) && map.sourcesContent?.[i] == null)
        problems.push(`${name} points at ${target}, which is not published`);
    });
  }
  return problems;
}

/** Every export target exists in the tarball, under known conditions only. */
function exportProblems(manifest, files) {
  const problems = [];
  const visit = (value, at) => {
    if (typeof value === 'string') {
      if (!files.has(path.posix.normalize(value)))
        problems.push(`exports ${at.join(' > ')}: ${value} is not published`);
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (!key.startsWith('.') && !CONDITIONS.has(key))
          problems.push(`exports ${[...at, key].join(' > ')}: unknown condition`);
        visit(inner, [...at, key]);
      }
    }
  };
  visit(manifest.exports, []);
  for (const bin of Object.values(
    typeof manifest.bin === 'string' ? { bin: manifest.bin } : (manifest.bin ?? {}),
  )) {
    if (!files.has(path.posix.normalize(bin))) problems.push(`bin ${bin} is not published`);
  }
  return problems;
}

/**
 * The bare specifiers the packed code and types import, against what it
 * declares: nothing imported may be missing (it would fail once installed),
 * and nothing declared in `dependencies` may go unused (the CLI bundles its
 * libraries, so it lists none).
 */
function dependencyProblems(manifest, files) {
  const imported = new Set();
  for (const [name, body] of files) {
    if (!/\.(c|m)?js$|\.d\.(c|m)?ts$/.test(name)) continue;
    for (const request of moduleRequests(name, body.toString('utf8'))) {
      if (request.startsWith('.') || request.startsWith('/') || isBuiltin(request)) continue;
      const parts = request.split('/');
      const pkg = request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      if (pkg !== manifest.name && !OPTIONAL_IMPORTS[manifest.name]?.includes(pkg)) imported.add(pkg);
    }
  }
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const problems = [...imported]
    .filter((name) => !declared.has(name))
    .map((name) => `imports ${name} but does not declare it as a dependency`);
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (!imported.has(name))
      problems.push(`declares the dependency ${name} but nothing published imports it`);
  }
  return problems;
}

/**
 * The module specifiers a file asks for: import and export declarations,
 * `import()`, `require()` and type imports, found by parsing (a minified
 * bundle's strings would fool a text search).
 */
function moduleRequests(name, text) {
  const requests = [];
  const kind = name.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) requests.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      const callee = node.expression;
      if (
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && callee.text === 'require')
      ) {
        requests.push(node.arguments[0].text);
      }
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      requests.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(name, text, ts.ScriptTarget.Latest, false, kind));
  return requests;
}

function stripAnsi(text) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
