import type { GhcrOptions } from './options.js';

/** The reference to pull for these options and CLI version. */
export function registryReference(options: GhcrOptions, cliVersion: string): string {
  return `${options.registry}/${options.repository}:${options.tag ?? defaultTag(cliVersion)}`;
}

/** A release version as the release workflow tags it: `1.2.3` or a prerelease such as `1.3.0-rc.1`. */
const RELEASE = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** Dev builds embed `<version>-dev` (see the CLI's version.ts); the original used `dev` or nothing. */
const DEV = /(^|-)dev(\.|$)/;

/**
 * Release builds, prereleases included, pull the image of their own version,
 * tagged with a `v` as the image workflow pushes it (`1.3.0-rc.1` pulls
 * `:v1.3.0-rc.1`; a prerelease is never pushed as `latest`). Only dev builds
 * (`0.2.0-dev`, `dev`, empty), which have no image of their own, pull
 * `latest`, as the original CLI did.
 */
export function defaultTag(cliVersion: string): string {
  const version = cliVersion.replace(/^v/, '');
  return RELEASE.test(version) && !DEV.test(version) ? `v${version}` : 'latest';
}
