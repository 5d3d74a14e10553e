import { describe, expect, it } from 'vitest';
import { defaultTag } from './tag.js';

describe('the tag a CLI version pulls from the canonical image', () => {
  it.each([
    ['0.1.0', 'v0.1.0'],
    ['1.3.0-rc.1', 'v1.3.0-rc.1'],
    ['0.2.0-dev', 'latest'],
    ['dev', 'latest'],
    ['', 'latest'],
  ])('%j pulls %s', (version, tag) => {
    expect(defaultTag(version)).toBe(tag);
  });
});
