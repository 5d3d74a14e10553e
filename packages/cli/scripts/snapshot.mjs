// The pieces of `bundle.mjs --single --snapshot`: the single file as the main
// script of a start-up snapshot (sea.mjs, useSnapshot). Node runs it once, when
// the binary is built, and the binary starts from the heap it left: every
// module already evaluated, so a run pays for none of that. What it must not
// capture, each piece below keeps out:
//   - node:http and node:https: V8 aborts the snapshot on their parser binding
//     (Node 22, 24 and 26 alike), so docker-modem gets them on first use;
//   - what a module reads from the environment, the terminal or the file system
//     while it loads would be frozen at build time: `debug` (DEBUG, colours)
//     decides at its first call instead, env-paths (the home and temporary
//     folders, for cosmiconfig) loads at its first call, execa and
//     import-meta-resolve stay out (loaded on first use, as in the npm
//     package), and the build fails naming any other module that reads such
//     things while it loads.
import path from 'node:path';

/** What the bundle imports on demand and the snapshot leaves so: they read the environment and the terminal while loading. */
const KEEP_LAZY = ['execa', 'import-meta-resolve'];
/** Packages that read the environment while loading, required by warmed ones: each loads at its first call. */
const LOAD_ON_FIRST_CALL = ['env-paths'];

/**
 * Every module the bundle imports dynamically (the command bodies, plugins,
 * dockerode, the config loader...), from a plain single build's metafile,
 * less built-ins, stand-ins and {@link KEEP_LAZY}: what the snapshot evaluates
 * at build time. Absolute paths; `workingDir` is the build's absWorkingDir.
 */
export function warmTargets(metafile, workingDir) {
  const targets = new Set();
  for (const input of Object.values(metafile.inputs)) {
    for (const { path: target, kind } of input.imports) {
      if (kind !== 'dynamic-import' || /^[a-z-]+:/.test(target)) continue;
      if (KEEP_LAZY.some((name) => target.includes(`node_modules/${name}/`))) continue;
      targets.add(path.resolve(workingDir, target));
    }
  }
  return [...targets].sort();
}

/**
 * The entry's statements after its imports, for a snapshot: the modules to
 * warm imported up front (as namespaces, so that `sideEffects: false` cannot
 * drop them), and the CLI run by the deserialized binary rather than at once.
 */
export function snapshotEntry(head, body, warm) {
  const names = warm.map((_, i) => `__stigmerWarm${i}`);
  return [
    ...head,
    ...warm.map((file, i) => `import * as ${names[i]} from ${JSON.stringify(file)};`),
    `const __stigmerMain = async () => {\n${body.join('\n')}\n};`,
    "const { startupSnapshot: __stigmerSnapshot } = require('node:v8');",
    'if (__stigmerSnapshot.isBuildingSnapshot()) {',
    `  ${SNAPSHOT_READY}([${names.join(', ')}]);`,
    '  __stigmerSnapshot.setDeserializeMainFunction(() => void __stigmerMain());',
    '} else void __stigmerMain();',
    '',
  ].join('\n');
}

/** Defined by {@link snapshotBanner}; the entry calls it once every module is warm. */
const SNAPSHOT_READY = '__stigmerSnapshotReady';

/**
 * Runs first in the snapshot's single file, and only while the snapshot is
 * built: it watches what the bundle's modules read while they load (the
 * environment, the standard streams and whether they are terminals, the
 * working, home and temporary folders, the user), then puts everything back
 * and fails the build naming each module that read something, which the
 * binary would otherwise see as it was on the build machine. Reads by Node's
 * own code (a warning it prints) are not the bundle's and do not count.
 */
export const snapshotBanner = `
var ${SNAPSHOT_READY} = (() => {
  if (!require('node:v8').startupSnapshot.isBuildingSnapshot()) return () => {};
  const reads = new Map();
  const note = (what) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 100;
    // [0] the message, [1] note, [2] the trap, [3] whoever read.
    const frames = new Error().stack.split('\\n').slice(3);
    Error.stackTraceLimit = limit;
    if (!frames[0] || /[ (]node:/.test(frames[0])) return;
    const module = frames.map((f) => /at (?:Object\\.)?(\\S+\\.[cm]?[jt]s) \\(/.exec(f)).find(Boolean);
    const name = module ? module[1] : 'the entry';
    if (!reads.has(name)) reads.set(name, new Set());
    reads.get(name).add(what);
  };
  const undo = [];
  const wrap = (object, key, what) => {
    const original = Object.getOwnPropertyDescriptor(object, key);
    const value = original.get ? original.get.call(object) : original.value;
    if (typeof value === 'function') {
      object[key] = function (...args) { note(what); return value.apply(this, args); };
      undo.push(() => { object[key] = value; });
    } else {
      Object.defineProperty(object, key, { configurable: true, get() { note(what); return original.get ? original.get.call(object) : original.value; } });
      undo.push(() => Object.defineProperty(object, key, original));
    }
  };
  const env = process.env;
  process.env = new Proxy(env, {
    get: (target, key) => { if (typeof key === 'string') note('process.env.' + key); return target[key]; },
    has: (target, key) => { note('process.env.' + String(key)); return key in target; },
    ownKeys: (target) => { note('the names in process.env'); return Reflect.ownKeys(target); },
  });
  undo.push(() => { process.env = env; });
  for (const stream of ['stdin', 'stdout', 'stderr']) wrap(process, stream, 'process.' + stream);
  wrap(process, 'cwd', 'process.cwd()');
  wrap(require('node:tty'), 'isatty', 'tty.isatty()');
  const os = require('node:os');
  for (const name of ['homedir', 'tmpdir', 'userInfo', 'hostname']) wrap(os, name, 'os.' + name + '()');
  return (warmed) => {
    if (!Array.isArray(warmed)) throw new Error('snapshot: nothing was warmed');
    for (const put of undo.reverse()) put();
    if (reads.size === 0) return;
    const list = [...reads].map(([name, what]) => '  ' + name + ': ' + [...what].join(', ')).join('\\n');
    throw new Error('snapshot: these modules read, while loading, what the binary would then see as it was on the build machine:\\n' + list + '\\nLoad them on first use instead (packages/cli/scripts/snapshot.mjs).');
  };
})();
`;

/**
 * node:http and node:https, when a bundled package requires them, become
 * stand-ins that require the real module on first use: V8 cannot put their
 * parser binding in a snapshot. docker-modem only keeps them (as prototypes of
 * its redirect-following wrappers) until it makes a request.
 */
export function lazyHttpPlugin() {
  return {
    name: 'stigmer-snapshot-lazy-http',
    setup(b) {
      b.onResolve({ filter: /^(node:)?https?$/ }, (args) =>
        args.kind === 'require-call' && args.namespace === 'file'
          ? { path: args.path.replace(/^node:/, ''), namespace: 'snapshot-lazy-builtin' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'snapshot-lazy-builtin' }, (args) => ({
        contents: `
// node:${args.path}, required on first use: it cannot be in a start-up snapshot.
let real;
const load = () => (real ??= require('node:${args.path}'));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const found = Object.getOwnPropertyDescriptor(load(), key);
    return found && { ...found, configurable: true };
  },
});
`,
        loader: 'js',
      }));
    },
  };
}

/**
 * `debug` reads DEBUG and whether stderr is a terminal when it loads. Each
 * logger it makes becomes one that decides at its first call: nothing while
 * DEBUG is unset (debug would print nothing either), the real `debug`,
 * loaded then, when it is set.
 */
export function lazyDebugPlugin() {
  return {
    name: 'stigmer-snapshot-lazy-debug',
    setup(b) {
      b.onResolve({ filter: /^debug$/ }, (args) =>
        args.namespace === 'file'
          ? { path: 'debug', namespace: 'snapshot-lazy-debug', pluginData: args.resolveDir }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'snapshot-lazy-debug' }, (args) => ({
        contents: `
let real;
module.exports = (namespace) => {
  let log;
  return (...args) => {
    if (log === undefined) log = process.env.DEBUG ? (real ??= require('debug'))(namespace) : null;
    if (log) log(...args);
  };
};
`,
        // From the importer's folder, so that require('debug') finds the real package.
        resolveDir: args.pluginData,
        loader: 'js',
      }));
    },
  };
}

/**
 * Each of {@link LOAD_ON_FIRST_CALL}, when a bundled module requires it, is a
 * stand-in that requires the real package when first called or read (those
 * packages export a function). `__esModule`, which interop helpers read at
 * once, is answered without loading: they are CommonJS.
 */
export function loadOnFirstCallPlugin() {
  const names = new RegExp(`^(${LOAD_ON_FIRST_CALL.join('|')})$`);
  return {
    name: 'stigmer-snapshot-load-on-first-call',
    setup(b) {
      b.onResolve({ filter: names }, (args) =>
        args.namespace === 'file'
          ? { path: args.path, namespace: 'snapshot-first-call', pluginData: args.resolveDir }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'snapshot-first-call' }, (args) => ({
        contents: `
let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
module.exports = new Proxy(function firstCall() {}, {
  apply: (_, self, args) => load().apply(self, args),
  construct: (_, args) => new (load())(...args),
  get: (_, key) => (key === '__esModule' ? undefined : load()[key]),
  has: (_, key) => key in load(),
});
`,
        resolveDir: args.pluginData,
        loader: 'js',
      }));
    },
  };
}
