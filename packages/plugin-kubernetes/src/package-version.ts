// Generated from package.json by scripts/write-versions.mjs (npm run build): do not edit.

/** The version of @stigmer/plugin-kubernetes, as its package.json says. */
export const VERSION = '0.1.0';
