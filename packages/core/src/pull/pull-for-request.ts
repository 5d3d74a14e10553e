import { recordPull } from '../freshness/pull-decision.js';
import type { ResolvedImage } from '../image/types.js';
import type { HookContext, PullRequest } from '../plugin/context.js';
import { pullAndTag } from './pull-and-tag.js';

/**
 * `ctx.pull`: `pullAndTag` for the request being resolved (its local tag,
 * platform and `pull.*` settings), then the pull recorded as a check of the
 * registry, so that an interval policy counts from it.
 */
export async function pullForRequest(ctx: HookContext<unknown>, pull: PullRequest): Promise<ResolvedImage> {
  const { request, reference } = pull;
  const image = await pullAndTag(ctx, {
    reference,
    localTag: request.localTag,
    platform: request.platform,
    settings: pull.retries === undefined ? request.pull : { ...request.pull, retries: pull.retries },
    credentialHint: pull.credentialHint,
    source: pull.source,
  });
  await recordPull(ctx, request, reference, image);
  return image;
}
