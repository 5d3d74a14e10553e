import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['24h', 86_400_000],
    ['1h30m', 5_400_000],
    ['1500', 1500],
    [250, 250],
  ])('reads %s as %d ms', (input, ms) => expect(parseDuration(input)).toBe(ms));

  it.each(['', 'soon', '10 minutes', '5x', '-1s', 'm10'])('refuses %j', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});
