import { readFileSync } from 'node:fs';

declare const __STIGMER_VERSION__: string | undefined;

/**
 * The CLI's version. The bundle has it embedded at build time (a release
 * sets it from the git tag); running from unbundled sources, it is read from
 * package.json and marked `-dev`, so a dev build is always recognisable and
 * pulls `latest` rather than a release tag.
 */
export const VERSION: string =
  typeof __STIGMER_VERSION__ === 'string'
    ? __STIGMER_VERSION__
    : `${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version}-dev`;
