/**
 * The validator plugins use for their option schemas, from core so that every
 * plugin shares one copy. Import it only from a module that the plugin loads
 * lazily (`optionsSchema: () => import('./options.js')...`): it is heavy, and
 * the default chain never needs it.
 */
export { z } from 'zod';
