// Starts the CLI once bin/stigmer.js has found the Node.js recent enough: the
// fast path for a local hit when built (src/fast/, which hands anything else
// back), then the bundle (fast start), or the compiled sources.
const { existsSync } = require('node:fs');
const { enableCompileCache } = require('node:module');

// Compiled code is kept on disk between runs (Node.js 22.1 and later).
enableCompileCache();

function full() {
  // Relative to this file, as import() resolves from CommonJS; no node:url needed.
  return import(
    existsSync(`${__dirname}/../dist/bundle/stigmer.js`) ? '../dist/bundle/stigmer.js' : '../dist/bin.js'
  );
}

const fast = `${__dirname}/../dist/bundle/fast.cjs`;
// Only a command line that names `resolve` loads the fast path; it decides the rest itself.
if (process.argv.includes('resolve') && process.env.STIGMER_FAST_PATH !== '0' && existsSync(fast)) {
  // A fast path that fails in a way it did not foresee has printed nothing: the full CLI runs.
  require(fast)
    .fastPath(process.argv)
    .then(
      (served) => served || full(),
      () => full(),
    );
} else {
  full();
}
