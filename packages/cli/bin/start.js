// Starts the CLI once bin/stigmer.js has found the Node.js recent enough: the
// bundle when built (fast start), the compiled sources otherwise.
const { existsSync } = require('node:fs');
const { enableCompileCache } = require('node:module');

// Compiled code is kept on disk between runs (Node.js 22.1 and later).
enableCompileCache();
// Relative to this file, as import() resolves from CommonJS; no node:url needed.
import(existsSync(`${__dirname}/../dist/bundle/stigmer.js`) ? '../dist/bundle/stigmer.js' : '../dist/bin.js');
