/** A release version as the release workflow tags it: `1.2.3` or a prerelease such as `1.3.0-rc.1`. */
const RELEASE = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** Dev builds embed `<version>-dev`; the original CLI used `dev` or nothing. */
const DEV = /(^|-)dev(\.|$)/;

/**
 * Release builds, prereleases included, pull their own version's tag
 * (`1.3.0-rc.1` pulls `v1.3.0-rc.1`); only dev builds (`0.2.0-dev`, `dev`,
 * empty) pull `latest`. The ghcr plugin has the same rule: plugins share
 * nothing but core, and choosing a tag is policy, not core's business.
 */
export function defaultTag(cliVersion: string): string {
  const version = cliVersion.replace(/^v/, '');
  return RELEASE.test(version) && !DEV.test(version) ? `v${version}` : 'latest';
}
