// The pieces of `bundle.mjs --single`: one CommonJS file holding the whole CLI,
// which is what Node's single-executable-application (SEA) support runs. A SEA
// has no node_modules beside it, its `require` loads only Node's built-in
// modules (anything else prints a warning and throws ERR_UNKNOWN_BUILTIN_MODULE)
// and, on Node 20, its main script has no working `import()`. Each piece below
// turns one of those facts into working code or a clear message.
import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { snapshotEntry } from './snapshot.mjs';

/**
 * Modules dockerode and cosmiconfig load that the bundles do not inline:
 * dockerode's ssh, gRPC and tar parts, TypeScript for .ts config files. In
 * the single file each becomes a stand-in that says what needs it and what
 * to do instead, on first use; `npm` says what the npm package does about it.
 */
export const unavailableModules = {
  'docker-modem/lib/ssh.js': {
    needs: 'ssh2',
    what: 'Reaching a Docker engine over ssh:// needs',
    instead:
      'Use a unix:// or tcp:// DOCKER_HOST (an SSH tunnel gives you one: ssh -NL /tmp/docker.sock:/var/run/docker.sock HOST, then DOCKER_HOST=unix:///tmp/docker.sock)',
    npm: 'install stigmer with npm (npm install -g @stigmer/cli), which carries it',
  },
  'dockerode/lib/session.js': {
    needs: '@grpc/grpc-js',
    what: 'A BuildKit session needs',
    instead: 'Build the image with docker build',
  },
  'dockerode/lib/buildkit.js': {
    needs: '@grpc/grpc-js',
    what: 'A BuildKit build needs',
    instead: 'Build the image with docker build',
  },
  'tar-fs': {
    needs: 'tar-fs',
    what: 'Packing a folder as a build context needs',
    instead: 'Build the image with docker build',
  },
  '@balena/dockerignore': {
    needs: '@balena/dockerignore',
    what: 'Reading .dockerignore for a build context needs',
    instead: 'Build the image with docker build',
  },
  typescript: {
    needs: 'typescript',
    what: 'A TypeScript config file (.stigmerrc.ts, stigmer.config.ts) needs',
    instead: 'Write the config as .stigmerrc (YAML or JSON) or .stigmerrc.mjs',
    npm: 'install stigmer and typescript with npm (npm install -g @stigmer/cli typescript), which loads it on demand',
  },
};

/**
 * A stand-in that throws a clear error when the module is used, not when it is
 * required: dockerode requires all of them at load time. Property reads that
 * module interop does on its own (`__esModule`, symbols) stay harmless.
 * `bundle` is which build leaves it out: `standalone` (the binary, no
 * node_modules at all) or `npm` (the npm package, which leaves out only what
 * stigmer never reaches: dockerode's build support).
 */
export function unavailableStandIn(target, bundle = 'standalone') {
  const { needs, what, instead, npm } = unavailableModules[target];
  const message =
    bundle === 'standalone'
      ? `${what} the ${needs} module, which the standalone stigmer binary does not include ` +
        `(it has no node_modules). ${instead}${npm ? `, or ${npm}` : ''}.`
      : `${what} the ${needs} module, which stigmer does not include: it never builds images ` +
        `through the Docker Engine API. ${instead}.`;
  return `
const fail = () => { throw new Error(${JSON.stringify(message)}); };
module.exports = new Proxy(function unavailable() {}, {
  apply: fail,
  construct: fail,
  get: (_, key) => (key === '__esModule' || typeof key === 'symbol' ? undefined : fail()),
  has: () => false,
});
`;
}

/**
 * Optional dependencies that are not installed (debug's `supports-color`) are
 * left by esbuild as `require('name')` inside a try/catch. In a SEA that call
 * prints Node's "only supports loading built-in modules" warning before it
 * throws, so each becomes a module that throws MODULE_NOT_FOUND, as Node would
 * for a missing package, and the caller's catch handles it quietly.
 */
export function missingModulesPlugin() {
  const skip = Symbol('missing-modules');
  return {
    name: 'stigmer-missing-modules',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === skip || isBuiltin(args.path)) return undefined;
        const found = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: skip,
        });
        return found.errors.length ? { path: args.path, namespace: 'missing' } : found;
      });
      b.onLoad({ filter: /.*/, namespace: 'missing' }, (args) => ({
        contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}'`)}), { code: 'MODULE_NOT_FOUND' });`,
        loader: 'js',
      }));
    },
  };
}

/**
 * CommonJS has no top-level await, and the CLI's entry (src/bin.ts) uses it.
 * This plugin loads the entry with its import declarations left at the top and
 * every other statement moved into an async function that runs at once: the
 * same order of evaluation, and a rejection still ends the process with the
 * error printed. Parsed with TypeScript, so any statement form is handled; an
 * entry that exports something is refused, since the move would hide it.
 * With `snapshot: { warm }`, the function runs in the deserialized binary
 * instead, after the snapshot's build has loaded `warm` (snapshot.mjs).
 */
export function cjsEntryPlugin(entryPath, { snapshot } = {}) {
  return {
    name: 'stigmer-cjs-entry',
    setup(b) {
      const name = entryPath.split(/[\\/]/).at(-1).replace(/[.]/g, '\\.');
      b.onLoad({ filter: new RegExp(`[\\\\/]${name}$`) }, async (args) => {
        if (args.path !== entryPath) return undefined;
        const { default: ts } = await import('typescript');
        const text = await readFile(args.path, 'utf8');
        const file = ts.createSourceFile(args.path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
        const head = [];
        const body = [];
        for (const statement of file.statements) {
          const source = text.slice(statement.getFullStart(), statement.getEnd());
          if (ts.isImportDeclaration(statement)) head.push(source);
          else if (
            ts.isExportDeclaration(statement) ||
            ts.isExportAssignment(statement) ||
            hasExport(ts, statement)
          )
            throw new Error(`${args.path}: the CLI entry exports something; --single cannot wrap it`);
          else body.push(source);
        }
        return {
          contents: snapshot
            ? snapshotEntry(head, body, snapshot.warm)
            : `${head.join('\n')}\nvoid (async () => {\n${body.join('\n')}\n})();\n`,
          loader: 'ts',
        };
      });
    },
  };
}

function hasExport(ts, statement) {
  return (
    ts.canHaveModifiers(statement) &&
    ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  );
}

/** What replaces `import(...)` in the single file; defined by {@link importHelper}. */
const IMPORT_HELPER = '__stigmerImport';
/** What replaces `import('node:…')`. */
const IMPORT_BUILTIN = '__stigmerImportBuiltin';

/**
 * Runs first in the single file. `import()` of a plugin file or a .mjs config
 * works in a SEA only from code compiled with Node's main-context loader
 * (vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER, Node >= 20.12); that option
 * is marked experimental and its warning would reach users on every plugin
 * load, so that one warning is filtered out.
 */
export const importHelper = `
var ${IMPORT_HELPER} = (() => {
  let load;
  const create = () => {
    const vm = require('node:vm');
    const loader = vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;
    if (!loader) {
      return (specifier) => Promise.reject(new Error(
        'Loading ' + specifier + ' needs Node.js 20.12 or later inside the standalone stigmer binary.'));
    }
    const emitWarning = process.emitWarning;
    process.emitWarning = function (warning, ...rest) {
      if (String(warning && warning.message !== undefined ? warning.message : warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
      return emitWarning.call(this, warning, ...rest);
    };
    return new vm.Script('(specifier) => import(specifier)', {
      filename: 'stigmer-import.js',
      importModuleDynamically: loader,
    }).runInThisContext();
  };
  return (specifier) => (load ??= create())(specifier);
})();
// Built-in modules need no loader: the SEA's require has them all. The module
// is the namespace's prototype, not copied into it: a copy would read every
// lazy getter, and node:http's (WebSocket and the like) load undici, ~16 ms.
var ${IMPORT_BUILTIN} = (specifier) =>
  Promise.resolve().then(() => {
    const m = require(specifier);
    return Object.create(m, { default: { value: m, enumerable: true } });
  });
`;

/**
 * Replaces every `import(...)` call left in the bundled code (plugin files,
 * .mjs configs: specifiers known only at run time) with the helper, and those
 * of built-in modules with `require`. Found by parsing, not by text search, so
 * strings and comments are never touched. Returns the new code and how many
 * run-time imports go through the loader.
 */
export async function rewriteDynamicImports(code) {
  const { default: ts } = await import('typescript');
  const file = ts.createSourceFile('bundle.cjs', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const calls = [];
  const visit = (node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = node.arguments;
      const builtin = specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('node:');
      calls.push({ start: node.expression.getStart(file), helper: builtin ? IMPORT_BUILTIN : IMPORT_HELPER });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = '';
  let last = 0;
  for (const { start, helper } of calls.sort((a, b) => a.start - b.start)) {
    out += code.slice(last, start) + helper;
    last = start + 'import'.length;
  }
  const replaced = calls.filter((c) => c.helper === IMPORT_HELPER).length;
  return { code: out + code.slice(last), replaced };
}
