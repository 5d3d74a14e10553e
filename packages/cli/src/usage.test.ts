import { describe, expect, it } from 'vitest';
import { normaliseArgv, wantsJson } from './usage.js';

const argv = (...args: string[]) => ['node', 'stigmer', ...args];

describe('wantsJson', () => {
  it('sees --json anywhere before --, and nowhere after it', () => {
    expect(wantsJson(argv('--json', 'image', 'resolve'))).toBe(true);
    expect(wantsJson(argv('image', 'resolve', '--json'))).toBe(true);
    expect(wantsJson(argv('image', 'resolve', '--', '--json'))).toBe(false);
  });
});

describe('normaliseArgv', () => {
  it('turns a version flag with --json into `version --json`, keeping --config', () => {
    expect(normaliseArgv(argv('-v', '--json'))).toEqual(argv('version', '--json'));
    expect(normaliseArgv(argv('--json', '--version', '--config', 'x.yml'))).toEqual(
      argv('version', '--json', '--config', 'x.yml'),
    );
    expect(normaliseArgv(argv('-v'))).toEqual(argv('-v'));
    expect(normaliseArgv(argv('image', 'resolve', '--json'))).toEqual(argv('image', 'resolve', '--json'));
  });
});
