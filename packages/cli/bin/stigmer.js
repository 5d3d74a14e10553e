#!/usr/bin/env node
// The `stigmer` command. ES5 CommonJS on purpose (bin/package.json): any
// Node.js, however old, parses this file, so on one that stigmer does not
// support the user reads one line saying so, not a SyntaxError from the bundle.
// The floor is the engines field of package.json (a test keeps them equal).
'use strict';

var MINIMUM = [22, 12];

function supported(version) {
  var parts = version.split('.');
  var major = Number(parts[0]);
  return major > MINIMUM[0] || (major === MINIMUM[0] && Number(parts[1]) >= MINIMUM[1]);
}

/** One line on stderr, or with --json the failure document every command prints; exit 78. */
function refuse() {
  var node = process.versions.node;
  var floor = MINIMUM.join('.');
  var message = [
    'stigmer needs Node.js ' + floor + ' or later; this is Node.js ' + node + ' (' + process.execPath + ').',
    'Install Node.js 24 LTS (or 22), or the standalone stigmer binary, which carries its own.',
  ].join(' ');
  var details = { node: node, required: '>=' + floor };
  var error = { code: 'NODE_UNSUPPORTED', message: message, exitCode: 78, details: details };
  if (process.argv.indexOf('--json') === -1) process.stderr.write(message + '\n');
  else process.stdout.write(JSON.stringify({ ok: false, error: error, warnings: [] }) + '\n');
  // Not process.exit(): what was written to a pipe is flushed before the process ends.
  process.exitCode = 78;
}

if (supported(process.versions.node)) {
  require('./start.js');
} else {
  refuse();
}
