// The fast path's bundle entry (dist/bundle/fast.cjs, CommonJS): bin/stigmer.js
// calls fastPath(process.argv) and runs the full CLI when it returns false.
export { fastPath } from './fast-path.js';
