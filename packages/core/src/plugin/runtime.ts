import { envTokenCredential } from '../credentials/env-token.js';
import { formatDuration } from '../duration.js';
import { platformMatches } from '../image/platform.js';
import { knownDigests } from '../pull/known-digests.js';
import type { HookContext } from './context.js';

/** The part of a context the runtime helpers work from: everything but the helpers themselves. */
export type ContextBase = Omit<HookContext<unknown>, RuntimeHelper>;

/** The names of the helpers `withRuntime` adds. */
export type RuntimeHelper =
  | 'pull'
  | 'pullDecision'
  | 'knownDigests'
  | 'platformMatches'
  | 'tokenCredential'
  | 'importArchive'
  | 'formatDuration';

/**
 * A hook's context with the host's runtime on it, as rollup puts its
 * helpers on `this`: plugins call them through `ctx`, never by importing
 * them, so every plugin runs on this one copy of core, and a plugin built
 * against an older core gets today's behaviour. The heavy parts (pulls,
 * the `newer` check, archives) load on first use: a local hit never needs them.
 */
export function withRuntime<Options>(base: ContextBase): HookContext<Options> {
  const ctx: HookContext<unknown> = {
    ...base,
    pull: async (pull) => (await import('../pull/pull-for-request.js')).pullForRequest(ctx, pull),
    pullDecision: async (request, references) =>
      (await import('../freshness/pull-decision.js')).pullDecision(ctx, request, references),
    knownDigests: (image) => knownDigests(base.run.dataDir, image),
    platformMatches,
    tokenCredential: (request, variables) =>
      envTokenCredential(base.run.env, variables, request.registry, request.exclude),
    importArchive: async (dir, name, options = {}) =>
      (await import('../archive/import.js')).importNamed(base.engine, dir, name, {
        ...options,
        signal: base.signal,
      }),
    formatDuration,
  };
  return ctx as HookContext<Options>;
}
