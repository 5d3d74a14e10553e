import { type DurationRange, MAX_DURATION_MS } from '../duration.js';
import { HOOK_NAMES } from '../hooks.js';

/**
 * What each duration setting may be, by key: one table for the config file's
 * schema and for the environment and flag parsers, so every source is held
 * to the same range and every message names the same one.
 */
export const DURATION_RANGES: Readonly<Record<string, DurationRange>> = Object.freeze({
  'pull.retryDelay': { min: 0, max: MAX_DURATION_MS },
  // 0 turns the stall watchdog off.
  'pull.stallTimeout': { min: 0, max: MAX_DURATION_MS },
  'engine.timeout': { min: 1, max: MAX_DURATION_MS },
  'server.readyTimeout': { min: 1, max: MAX_DURATION_MS },
  'server.stopTimeout': { min: 0, max: MAX_DURATION_MS },
  // 0: the first "running" counts (containers without a HEALTHCHECK).
  'server.settleTime': { min: 0, max: MAX_DURATION_MS },
  // 0 would time every plugin out at once.
  ...Object.fromEntries(HOOK_NAMES.map((hook) => [`timeouts.${hook}`, { min: 1, max: MAX_DURATION_MS }])),
});

/** The range of a duration setting; every key of the table above. */
export function durationRange(key: string): DurationRange {
  const range = DURATION_RANGES[key];
  if (!range) throw new Error(`no duration range for ${key}`);
  return range;
}
