import { VERSION as PACKAGE_VERSION } from './package-version.js';

declare const __STIGMER_VERSION__: string | undefined;

/**
 * The CLI's version. The bundle has it embedded at build time (a release
 * sets it from the git tag); running from unbundled sources, it is
 * package.json's, marked `-dev`, so a dev build is always recognisable and
 * pulls `latest` rather than a release tag.
 */
export const VERSION: string =
  typeof __STIGMER_VERSION__ === 'string' ? __STIGMER_VERSION__ : `${PACKAGE_VERSION}-dev`;

/**
 * The version of the first-party plugin packages bundled into this build.
 * They are released together with the CLI at one version (a changesets
 * "fixed" group), so an installed copy with this version is the bundled code.
 */
export const BUNDLED_PLUGINS_VERSION: string = PACKAGE_VERSION;
