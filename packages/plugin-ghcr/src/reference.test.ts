import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import { defaultTag, registryReference } from './reference.js';

describe('the tag a CLI version pulls', () => {
  it.each([
    ['0.1.0', 'v0.1.0'],
    ['v0.1.0', 'v0.1.0'],
    ['1.3.0-rc.1', 'v1.3.0-rc.1'],
    ['2.0.0-beta', 'v2.0.0-beta'],
    ['0.2.0-dev', 'latest'],
    ['0.2.0-dev.3', 'latest'],
    ['dev', 'latest'],
    ['', 'latest'],
    ['test-1a2b3c4', 'latest'],
  ])('%j pulls %s', (version, tag) => {
    expect(defaultTag(version)).toBe(tag);
  });

  it('an explicit tag wins over the version', () => {
    expect(
      registryReference({ ...DEFAULT_OPTIONS, registry: '127.0.0.1:5000', tag: 'pinned' }, '1.3.0-rc.1'),
    ).toBe('127.0.0.1:5000/stigmer/agent-runner:pinned');
  });
});
