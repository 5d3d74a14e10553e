const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `500ms`, `30s`, `10m`, `24h`, `1h30m` or a bare
 * number of milliseconds. Returns `undefined` for anything else so callers
 * can report the exact key that was wrong.
 */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((total, [, value, unit]) => total + Number(value) * (UNITS[unit as string] ?? 0), 0);
}

/** Formats milliseconds the way users write them in config (`90s`, `2m`, `3d`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 7_200_000) return `${+(ms / 60_000).toFixed(1)}m`;
  if (ms < 172_800_000) return `${+(ms / 3_600_000).toFixed(1)}h`;
  return `${+(ms / 86_400_000).toFixed(1)}d`;
}

/** The values a duration setting may take, in ms, both ends included. */
export interface DurationRange {
  min: number;
  max: number;
}

/**
 * The longest any timed setting may be: 24 days. Node's timers fire at once
 * for 2^31 ms (about 24.8 days) or more, so `25d` would mean "now".
 */
export const MAX_DURATION_MS = 24 * 86_400_000;

/** `from 1ms to 24d` */
export function describeRange(range: DurationRange): string {
  return `from ${formatDuration(range.min)} to ${formatDuration(range.max)}`;
}

/** Parses `input` and checks it against `range`; the error says what was expected and what came. */
export function durationIn(
  input: string | number,
  range: DurationRange,
): { value: number } | { error: string } {
  const ms = parseDuration(input);
  const got = JSON.stringify(input);
  if (ms === undefined) return { error: `expected a duration such as 30s, 10m or 1h, got ${got}` };
  if (ms < range.min || ms > range.max)
    return { error: `expected a duration ${describeRange(range)}, got ${got}` };
  return { value: ms };
}
