// Builds the CLI into dist/bundle/: one entry module plus lazily loaded chunks.
// Why: resolving and compiling hundreds of small modules costs more at start-up
// than the work of a local-hit `stigmer image resolve` (see bench/).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// One source for the version: package.json, or STIGMER_VERSION set by a release from its tag.
// Anything else is a dev build, marked so that it pulls `latest`, never a release tag.
const version = process.env.STIGMER_VERSION?.replace(/^v/, '') || `${pkg.version}-dev`;

/**
 * dockerode loads ssh2 (for ssh:// engines) and gRPC (for BuildKit sessions) at
 * start-up although a local engine needs neither. These stand-ins load the real
 * modules from node_modules the first time they are called.
 */
const lazyModules = {
  'docker-modem/lib/ssh.js': /docker-modem[\\/]lib[\\/]modem\.js$/,
  'dockerode/lib/session.js': /dockerode[\\/]lib[\\/]docker\.js$/,
};
const lazyPlugin = {
  name: 'lazy-optional-transports',
  setup(b) {
    b.onResolve({ filter: /^\.\/(ssh|session)$/ }, (args) => {
      for (const [target, importer] of Object.entries(lazyModules)) {
        if (importer.test(args.importer) && target.includes(args.path.slice(2))) {
          return { path: target, namespace: 'lazy' };
        }
      }
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `module.exports = function lazy() { return require(${JSON.stringify(args.path)}).apply(this, arguments); };`,
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: { stigmer: `${root}/src/bin.ts` },
  outdir: `${root}/dist/bundle`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  conditions: ['source'],
  external: ['docker-modem/lib/ssh.js', 'dockerode/lib/session.js'],
  define: { __STIGMER_VERSION__: JSON.stringify(version) },
  banner: {
    js: "import { createRequire as __stigmerCreateRequire } from 'node:module'; const require = __stigmerCreateRequire(import.meta.url);",
  },
  plugins: [lazyPlugin],
  minifySyntax: true,
  legalComments: 'linked',
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log(`bundled @stigmer/cli ${version} into dist/bundle/`);
