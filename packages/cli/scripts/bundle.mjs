// Builds the CLI into dist/bundle/: one entry module plus lazily loaded chunks.
// Why: resolving and compiling hundreds of small modules costs more at start-up
// than the work of a local-hit `stigmer image resolve` (see bench/).
//
// The npm package is this folder and bin/ alone: every library is inside it
// (ssh2, for ssh:// engines, in lazy/ssh.cjs, loaded on first use), so
// `npm install -g @stigmer/cli` installs one package and no native module.
// THIRD-PARTY-LICENSES.txt beside it carries the licences of what it bundles.
//
// `--single [--outfile PATH]` builds one CommonJS file instead (default
// dist/sea/stigmer.cjs) with nothing left to node_modules: what the standalone
// binary (scripts/sea.mjs) embeds. See single-file.mjs. With `--snapshot` that
// file is the main script of a start-up snapshot (snapshot.mjs).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path, { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { thirdPartyLicenses } from './third-party-licenses.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// One source for the version: package.json, or STIGMER_VERSION set by a release from its tag.
// Anything else is a dev build, marked so that it pulls `latest`, never a release tag.
const version = process.env.STIGMER_VERSION?.replace(/^v/, '') || `${pkg.version}-dev`;
const cliArgs = process.argv.slice(2);
const single = cliArgs.includes('--single');
const snapshot = cliArgs.includes('--snapshot');
const outfileAt = cliArgs.indexOf('--outfile');
const outfile = outfileAt >= 0 ? resolve(cliArgs[outfileAt + 1]) : resolve(root, 'dist/sea/stigmer.cjs');

/**
 * dockerode loads ssh2 (for ssh:// engines), gRPC (BuildKit sessions) and tar
 * packing (build contexts) at start-up, although resolving and running an image
 * needs none of them. In the bundle each becomes a stand-in: `request` as
 * written in `importer` is replaced, and `target` names what it stands for.
 */
const lazyModules = [
  { request: './ssh', importer: /docker-modem[\\/]lib[\\/]modem\.js$/, target: 'docker-modem/lib/ssh.js' },
  { request: './session', importer: /dockerode[\\/]lib[\\/]docker\.js$/, target: 'dockerode/lib/session.js' },
  {
    request: './buildkit',
    importer: /dockerode[\\/]lib[\\/]docker\.js$/,
    target: 'dockerode/lib/buildkit.js',
  },
  { request: 'tar-fs', importer: /dockerode[\\/]lib[\\/]util\.js$/, target: 'tar-fs' },
  {
    request: '@balena/dockerignore',
    importer: /dockerode[\\/]lib[\\/]util\.js$/,
    target: '@balena/dockerignore',
  },
];

/**
 * Modules of the npm bundle built as CommonJS files of their own in
 * dist/bundle/lazy/, each loaded by its stand-in on first use. The rest of
 * `lazyModules` (dockerode's build support, which stigmer never calls) is left
 * out, its stand-in saying so.
 */
const separateModules = { 'docker-modem/lib/ssh.js': 'ssh' };

// Works for modules that export a function, a class or an object.
const lazyStandIn = (file) => `
let real;
const load = () => (real ??= require(${JSON.stringify(file)}));
module.exports = new Proxy(function lazy() {}, {
  apply: (_, self, args) => load().apply(self, args),
  construct: (_, args) => new (load())(...args),
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
});
`;

/** `standIn(target)` is the code of a stand-in; `--single` has no node_modules to leave anything to. */
const startupPlugin = (standIn, { noNodeModules = false } = {}) => ({
  name: 'stigmer-startup',
  setup(b) {
    for (const { request, importer, target } of lazyModules) {
      const filter = new RegExp(`^${request.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
      b.onResolve({ filter }, (args) =>
        importer.test(args.importer) ? { path: target, namespace: 'lazy' } : undefined,
      );
    }
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: standIn(args.path),
      loader: 'js',
    }));
    // What a stand-in loads at run time sits beside the bundle.
    b.onResolve({ filter: /^\.\/lazy\// }, (args) =>
      args.namespace === 'lazy' ? { path: args.path, external: true } : undefined,
    );
    if (noNodeModules)
      b.onResolve({ filter: /^typescript$/ }, () => ({ path: 'typescript', namespace: 'lazy' }));
    // tapable's index loads all fourteen hook classes; core uses three.
    b.onResolve({ filter: /^tapable$/ }, () => ({ path: 'tapable', namespace: 'tapable-subset' }));
    b.onLoad({ filter: /.*/, namespace: 'tapable-subset' }, () => ({
      contents: ['AsyncSeriesBailHook', 'AsyncSeriesHook', 'AsyncSeriesWaterfallHook']
        .map((name) => `export { default as ${name} } from 'tapable/lib/${name}.js';`)
        .join('\n'),
      resolveDir: root,
      loader: 'js',
    }));
  },
});

/**
 * ssh2's optional native parts (its crypto binding, cpu-features) stay out:
 * it requires them inside try/catch and falls back to Node's crypto, so the
 * package needs no compiler and no install script.
 */
const nativeOptional = {
  name: 'stigmer-native-optional',
  setup(b) {
    b.onResolve({ filter: /\.node$|^cpu-features$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * A library whose own source maps point at sources it does not publish
 * (kubernetes-models' `src/*.ts`, smtp-address-parser's grammar) would give
 * the bundle's maps entries with no content. Without its map comment,
 * esbuild maps to the published JavaScript and embeds it.
 */
const contentlessMaps = {
  name: 'stigmer-contentless-maps',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.m?js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const comment = /\n\/\/# sourceMappingURL=([^\s]+)\s*$/.exec(text);
      if (!comment || comment[1].startsWith('data:')) return undefined;
      const mapFile = path.join(path.dirname(args.path), comment[1]);
      let map;
      try {
        map = JSON.parse(readFileSync(mapFile, 'utf8'));
      } catch {
        map = {};
      }
      if (Array.isArray(map.sourcesContent) && map.sourcesContent.every((c) => c != null)) return undefined;
      return { contents: text.slice(0, comment.index), loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/**
 * `import ... from 'node:x'` in the ESM bundle becomes `require('node:x')`: an
 * ESM import of a built-in makes Node build its module namespace, reading every
 * export, and `node:http`'s include the lazily loaded fetch (undici, ~25 ms).
 */
const builtinsThroughRequire = {
  name: 'stigmer-builtins-require',
  setup(b) {
    // Not import(): with code splitting its result would be the module as `default` alone.
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'import-statement' ? { path: args.path, namespace: 'node-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * Libraries the fast path's bundle (one CommonJS file, parsed whole at
 * start-up) leaves to files of their own in dist/bundle/lazy/, required where
 * the code first imports them: a local hit with no config file loads none,
 * and no command line the fast path serves loads execa or tar-stream.
 */
const fastLazy = {
  zod: 'zod',
  execa: 'execa',
  cosmiconfig: 'cosmiconfig',
  'js-yaml': 'js-yaml',
  'tar-stream': 'tar-stream',
  'import-meta-resolve': 'import-meta-resolve',
};
const lazyLibraries = {
  name: 'stigmer-fast-lazy-libraries',
  setup(b) {
    const names = Object.keys(fastLazy)
      .map((n) => n.replace(/[/-]/g, '\\$&'))
      .join('|');
    b.onResolve({ filter: new RegExp(`^(${names})$`) }, (args) => ({
      path: `./lazy/${fastLazy[args.path]}.cjs`,
      external: true,
    }));
  },
};

/**
 * The fast path's bundle never opens dockerode (its engine is the socket
 * engine) nor renders a manifest (kubernetes-models' schemas, for `server
 * manifest` only), so both stay out of it: a module that would load them
 * fails, and the fast path hands the command to the full CLI.
 */
const withoutDockerode = {
  name: 'stigmer-fast-without-dockerode-and-kubernetes',
  setup(b) {
    b.onResolve({ filter: /^(dockerode|kubernetes-models\/.*)$/ }, (args) => ({
      path: args.path,
      namespace: 'fast-absent',
    }));
    b.onLoad({ filter: /.*/, namespace: 'fast-absent' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not in the fast path`)});`,
      loader: 'js',
    }));
  },
};

if (single) {
  await buildSingle();
  process.exit(0);
}

rmSync(`${root}/dist/bundle`, { recursive: true, force: true });
const { unavailableStandIn } = await import('./single-file.mjs');
const npmStandIn = (target) =>
  separateModules[target]
    ? lazyStandIn(`./lazy/${separateModules[target]}.cjs`)
    : unavailableStandIn(target, 'npm');
/** What both npm builds share: Node 22.12, minified, with linked source maps and licence comments. */
const npmBuild = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22.12',
  // readable-stream is a userland copy of Node's streams; docker-modem only needs the real thing.
  // punycode: ajv-formats (kubernetes-models' validator) requires Node's deprecated built-in, which
  // prints DEP0040 on every `server manifest`; the userland package it also depends on is the same code.
  alias: { 'readable-stream': 'node:stream', punycode: 'punycode/punycode.js' },
  // Smaller source parses faster; the linked source maps keep stack traces readable with --enable-source-maps.
  minify: true,
  keepNames: true,
  legalComments: 'linked',
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
};
const result = await build({
  ...npmBuild,
  entryPoints: { stigmer: `${root}/src/bin.ts` },
  outdir: `${root}/dist/bundle`,
  splitting: process.env.STIGMER_BUNDLE_SPLIT !== '0',
  format: 'esm',
  conditions: ['@stigmer/source'],
  // typescript is only for .ts config files; cosmiconfig loads it from the user's install.
  external: ['typescript'],
  define: { __STIGMER_VERSION__: JSON.stringify(version) },
  banner: {
    js: "import { createRequire as __stigmerCreateRequire } from 'node:module'; const require = __stigmerCreateRequire(import.meta.url);",
  },
  plugins: [builtinsThroughRequire, startupPlugin(npmStandIn), contentlessMaps],
});
// The fast path (src/fast/): one CommonJS file, so a local hit loads no ES module at all.
const fast = await build({
  ...npmBuild,
  entryPoints: { fast: `${root}/src/fast/entry.ts` },
  outdir: `${root}/dist/bundle`,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  conditions: ['@stigmer/source'],
  external: ['typescript'],
  define: { __STIGMER_VERSION__: JSON.stringify(version) },
  plugins: [withoutDockerode, lazyLibraries, startupPlugin(npmStandIn), contentlessMaps],
});
// The files of dist/bundle/lazy/: the npm bundle's separate modules and the fast path's libraries.
const separate = await build({
  ...npmBuild,
  entryPoints: Object.fromEntries([
    ...Object.entries(separateModules).map(([target, name]) => [name, target]),
    ...Object.entries(fastLazy).map(([library, file]) => [file, library]),
  ]),
  outdir: `${root}/dist/bundle/lazy`,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  external: ['typescript'],
  plugins: [nativeOptional, contentlessMaps],
});
writeFileSync(
  `${root}/dist/bundle/THIRD-PARTY-LICENSES.txt`,
  thirdPartyLicenses([result.metafile, separate.metafile, fast.metafile], root),
);
console.log(`bundled @stigmer/cli ${version} into dist/bundle/`);
if (process.env.STIGMER_BUNDLE_METAFILE) {
  writeFileSync(process.env.STIGMER_BUNDLE_METAFILE, JSON.stringify(result.metafile));
  writeFileSync(`${process.env.STIGMER_BUNDLE_METAFILE}.fast.json`, JSON.stringify(fast.metafile));
}

/** `--single`: the whole CLI as one CommonJS file, for the standalone binary. */
async function buildSingle() {
  const { cjsEntryPlugin, importHelper, missingModulesPlugin, rewriteDynamicImports, unavailableStandIn } =
    await import('./single-file.mjs');
  const { lazyDebugPlugin, lazyHttpPlugin, loadOnFirstCallPlugin, snapshotBanner, warmTargets } =
    await import('./snapshot.mjs');
  const { mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  const entry = resolve(root, 'src/bin.ts');
  const options = {
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    outfile,
    format: 'cjs',
    platform: 'node',
    target: 'node22.12',
    conditions: ['@stigmer/source'],
    alias: { 'readable-stream': 'node:stream', punycode: 'punycode/punycode.js' },
    define: { __STIGMER_VERSION__: JSON.stringify(version) },
    banner: { js: importHelper },
    plugins: [
      cjsEntryPlugin(entry),
      startupPlugin(unavailableStandIn, { noNodeModules: true }),
      missingModulesPlugin(),
    ],
    minifySyntax: true,
    // A binary is distributed alone: its licences travel inside it.
    legalComments: 'eof',
    logLevel: 'warning',
    // src/version.ts reads import.meta only when no version is defined, and one always is here;
    // the check below makes sure no other import.meta survives into the file.
    logOverride: { 'empty-import-meta': 'silent' },
  };
  let result = await build({ ...options, metafile: snapshot });
  if (snapshot) {
    // Built again, now loading up front every module the first build imports on demand.
    const warm = warmTargets(result.metafile, root);
    result = await build({
      ...options,
      banner: { js: `${snapshotBanner}${importHelper}` },
      plugins: [
        cjsEntryPlugin(entry, { snapshot: { warm } }),
        lazyHttpPlugin(),
        lazyDebugPlugin(),
        loadOnFirstCallPlugin(),
        ...options.plugins.slice(1),
      ],
    });
  }
  const { code, replaced } = await rewriteDynamicImports(result.outputFiles[0].text);
  if (/\bimport_meta\d* = \{\}/.test(code)) {
    throw new Error('--single: a bundled module reads import.meta, which is empty in CommonJS');
  }
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, code);
  console.log(
    `bundled @stigmer/cli ${version} into ${outfile} (one CommonJS file${snapshot ? ' for a start-up snapshot' : ''}, ${replaced} dynamic import(s) routed through the SEA loader)`,
  );
}
