import { describe, expect, it } from 'vitest';
import { parseVersion, versionMismatch } from './version.js';

describe('image version against the CLI version', () => {
  it('reads release, dev and tagged versions', () => {
    expect(parseVersion('v0.1.0')).toEqual({ major: 0, minor: 1, patch: 0 });
    expect(parseVersion('0.1.0-dev')).toEqual({ major: 0, minor: 1, patch: 0 });
    expect(parseVersion('test-abc1234')).toBeUndefined();
  });

  it.each([
    ['0.1.3', '0.1.0-dev', 'minor', undefined],
    ['v0.1.0', '0.1.0', 'exact', undefined],
    ['0.1.1', '0.1.0', 'exact', 'it is version 0.1.1, the CLI is 0.1.0 (the same version is required)'],
    ['0.2.0', '0.1.0', 'minor', 'it is version 0.2.0, the CLI is 0.1.0 (the same major.minor is required)'],
    ['0.2.0', '0.1.0', 'major', 'it is version 0.2.0, the CLI is 0.1.0 (the same 0.minor is required)'],
    ['1.4.0', '1.2.0', 'major', undefined],
    ['latest', '0.1.0', 'minor', 'its version label "latest" is not a version'],
  ] as const)('image %s, CLI %s, match %s → %s', (image, cli, match, expected) => {
    expect(versionMismatch(image, cli, match)).toBe(expected);
  });
});
