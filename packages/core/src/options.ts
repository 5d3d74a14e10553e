/**
 * The validator plugins use for their option schemas, from core so that every
 * plugin shares one copy, and helpers for the kinds of options stigmer's own
 * settings have. Import it only from a module that the plugin loads lazily
 * (`optionsSchema: () => import('./options.js')...`): it is heavy, and the
 * default chain never needs it.
 */
import { z } from 'zod';
import { durationIn, MAX_DURATION_MS } from './duration.js';

export { z };

/**
 * A duration option, written as stigmer's settings are (`500ms`, `30s`,
 * `10m`, `1h30m`, or a number of milliseconds), given to the plugin in
 * milliseconds. Held to `min`..`max` (default 0 to 24 days: Node's timers
 * fire at once beyond that), and the message says so.
 */
export function duration(range: { min?: number; max?: number } = {}) {
  const bounds = { min: range.min ?? 0, max: range.max ?? MAX_DURATION_MS };
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const checked = durationIn(value, bounds);
    if ('value' in checked) return checked.value;
    ctx.addIssue({ code: 'custom', message: checked.error });
    return z.NEVER;
  });
}
