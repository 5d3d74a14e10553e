import { describe, expect, it } from 'vitest';
import { parseChallenge } from './registry-auth.js';
import { indexPlatforms, registryBaseUrl } from './registry-client.js';

describe('registry client helpers', () => {
  it("uses http for loopback registries only, and Docker Hub's API host", () => {
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
  });

  it('parses bearer challenges as ghcr.io sends them, and basic ones as htpasswd registries do', () => {
    expect(
      parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"'),
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry Realm' },
    });
    expect(parseChallenge('Bearer service="x"')).toBeUndefined();
    expect(parseChallenge('Negotiate abc')).toBeUndefined();
    expect(parseChallenge(null)).toBeUndefined();
  });

  it("lists an index's platforms, normalised, without attestations", () => {
    expect(
      indexPlatforms({
        manifests: [
          { platform: { os: 'linux', architecture: 'amd64' } },
          { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
          { platform: { os: 'unknown', architecture: 'unknown' } },
          { platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
        ],
      }),
    ).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
    expect(indexPlatforms({ config: {}, layers: [] })).toBeUndefined();
  });
});
