import { describe, expect, it } from 'vitest';
import { normalisePlatform, platformMatches } from './platform.js';

describe('platforms', () => {
  it('normalises uname and Go architecture names to image platforms', () => {
    expect(normalisePlatform('linux', 'x86_64')).toBe('linux/amd64');
    expect(normalisePlatform('linux', 'amd64')).toBe('linux/amd64');
    expect(normalisePlatform('linux', 'aarch64')).toBe('linux/arm64');
    expect(normalisePlatform('linux', 'arm64', 'v8')).toBe('linux/arm64');
    expect(normalisePlatform('linux', 'armv7l')).toBe('linux/arm/v7');
    expect(normalisePlatform('linux', 'arm', 'v6')).toBe('linux/arm/v6');
    expect(normalisePlatform('Linux', 'i686')).toBe('linux/386');
    expect(normalisePlatform('windows', 'amd64')).toBe('windows/amd64');
  });

  it('matches a platform with or without a variant, but never another architecture', () => {
    expect(platformMatches('linux/arm64/v8', 'linux/arm64')).toBe(true);
    expect(platformMatches('linux/arm64', 'linux/arm64/v8')).toBe(true);
    expect(platformMatches('linux/arm/v6', 'linux/arm/v7')).toBe(false);
    expect(platformMatches('linux/amd64', 'linux/arm64')).toBe(false);
    expect(platformMatches('windows/amd64', 'linux/amd64')).toBe(false);
  });
});
