import {
  definePlugin,
  type HookContext,
  isStigmerError,
  type ResolveRequest,
  type StigmerPlugin,
} from '@stigmer/core';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import type { GhcrOptions } from './options.js';
import { VERSION } from './package-version.js';
import { registryReference } from './reference.js';

/** The GitHub token's own registry: it always may receive the token. */
const GHCR = 'ghcr.io';
/** The variables that hold a GitHub token, most specific first. */
const GITHUB_TOKEN_VARIABLES: readonly string[] = ['GHCR_TOKEN', 'GITHUB_TOKEN'];

/**
 * Pulls the agent-runner image from ghcr.io (or the configured registry)
 * through core's shared `pullAndTag`: credentials, retries per failure class,
 * platform check, digest, and the local tag only once all of that passed.
 *
 * Policy: a tag the registry does not have passes to the next plugin (a
 * later resolver, such as rebuild, may still provide the image; else the
 * build hint explains how to build it, as the original CLI did). Every other
 * failure (credentials refused, rate limit, network, wrong platform, stall)
 * ends the chain with its own message and exit code, which core follows with
 * the build hint. A pull is recorded as a check for interval pull policies.
 */
export function ghcrPlugin(): StigmerPlugin<GhcrOptions> {
  return definePlugin<GhcrOptions>({
    name: 'stigmer:ghcr',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    defaultOptions: DEFAULT_OPTIONS,
    apply(hooks, options) {
      // A GitHub token is a key to the user's GitHub: it goes to ghcr.io and to
      // the hosts the user names for it, never to whatever registry is configured.
      const tokenHosts = githubTokenHosts(options);
      hooks.credentials.tap((request, ctx) =>
        tokenHosts.has(lower(request.registry))
          ? ctx.tokenCredential(request, GITHUB_TOKEN_VARIABLES)
          : undefined,
      );
      hooks.resolveImage.tap((request, ctx) => pull(request, ctx, options));
    },
  });
}

const lower = (host: string) => host.toLowerCase();

/** ghcr.io and the hosts the user named for the GitHub token. */
function githubTokenHosts(options: GhcrOptions): Set<string> {
  return new Set([GHCR, ...options.githubTokenHosts].map(lower));
}

async function pull(request: ResolveRequest, ctx: HookContext<GhcrOptions>, options: GhcrOptions) {
  const reference = registryReference(options, request.cliVersion);
  // The pull policy (offline, never, missing, always, newer, an interval), as every registry plugin honours it.
  const decision = await ctx.pullDecision(request, reference);
  if (decision.action !== 'pull') {
    ctx.note(decision.reason, { reference });
    return decision.action === 'use-local' ? decision.image : undefined;
  }
  try {
    return await ctx.pull({
      reference,
      request,
      credentialHint: githubTokenHosts(options).has(lower(options.registry))
        ? 'set GHCR_TOKEN (or GITHUB_TOKEN) to a token that can read packages'
        : undefined,
    });
  } catch (error) {
    if (!isStigmerError(error) || error.code !== 'PULL_NOT_FOUND') throw error;
    ctx.note(`pull of ${reference} failed`, {
      reference,
      error: String(error.details.said ?? error.message),
    });
    return undefined;
  }
}
