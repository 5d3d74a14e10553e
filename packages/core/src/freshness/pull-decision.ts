import { formatDuration } from '../duration.js';
import { parseReference } from '../engine/reference.js';
import type { ImageInfo } from '../engine/types.js';
import { platformMatches } from '../image/platform.js';
import type { ResolvedImage, ResolveRequest } from '../image/types.js';
import type { HookContext } from '../plugin/context.js';
import { knownDigests } from '../pull/known-digests.js';
import { readCheck, writeCheck } from './check-record.js';
import { type RemoteDigest, remoteDigest } from './remote-digest.js';

/** What a registry plugin should do under the request's pull policy. */
export type PullDecision =
  /** Do not contact the registry at all (offline, policy `never`); pass to the next plugin. */
  | { action: 'skip'; reason: string }
  /** Pull. */
  | { action: 'pull'; reason: string }
  /** Answer with the local image: it is there and, under `newer`, still the registry's. */
  | { action: 'use-local'; image: ResolvedImage; reason: string };

/**
 * The pull policy every registry plugin honours, in one place:
 * - offline, or `never`: skip (no network);
 * - `always`, or `stigmer image pull`: pull;
 * - `missing`: the local image under the canonical name if it is there (for
 *   the platform), else pull;
 * - `newer`: pull only when the registry's digest for `reference` (a
 *   manifest HEAD through the token flow) is not one the local image has;
 *   with an interval, ask at most that often, counted from stigmer's own
 *   record of the last check. When the registry cannot be asked, the local
 *   image is used, with a warning.
 */
export async function pullDecision(
  ctx: HookContext<unknown>,
  request: ResolveRequest,
  references: string | readonly string[],
): Promise<PullDecision> {
  const all = typeof references === 'string' ? [references] : references;
  const reference = all[0] ?? request.localTag;
  if (request.offline) return { action: 'skip', reason: `not pulling ${reference}: offline mode` };
  if (request.pullPolicy === 'never')
    return { action: 'skip', reason: `not pulling ${reference}: pull policy is never` };
  if (request.purpose === 'pull') return { action: 'pull', reason: 'a pull was asked for' };
  if (request.pullPolicy === 'always') return { action: 'pull', reason: 'pull policy is always' };
  const local = await localImage(ctx, request);
  if (!local) return { action: 'pull', reason: `${request.localTag} is not in the local engine` };
  // The engine's RepoDigests, and those stigmer verified for an image it loaded itself.
  const digests = await knownDigests(ctx.run.dataDir, local);
  const use = (reason: string): PullDecision => ({
    action: 'use-local',
    image: resolved(request.localTag, local, digests[0], reason),
    reason,
  });
  if (request.pullPolicy === 'missing')
    return use(`${request.localTag} is in the local engine (pull policy missing)`);
  return newer(ctx, request, all, digests, use);
}

/**
 * Records a pull as a check of the registry, so that an interval policy
 * (`24h`) counts from it: the next run within the interval asks no registry.
 * Registry plugins call it after `pullAndTag` succeeded. Only under the
 * `newer` policy (intervals included), the one that reads the record.
 */
export async function recordPull(
  ctx: HookContext<unknown>,
  request: ResolveRequest,
  reference: string,
  image: ResolvedImage,
): Promise<void> {
  const digest = image.digest?.split('@')[1];
  if (request.pullPolicy !== 'newer' || !digest) return;
  try {
    await writeCheck(ctx.run.dataDir, request.localTag, {
      checkedAt: new Date().toISOString(),
      digest,
      reference,
    });
  } catch (error) {
    // The image is pulled and tagged; a missing record only costs the next run a manifest HEAD.
    ctx.log.warn(`could not record the pull in ${ctx.run.dataDir}: ${(error as Error).message}`);
  }
}

async function newer(
  ctx: HookContext<unknown>,
  request: ResolveRequest,
  references: readonly string[],
  digests: readonly string[],
  use: (reason: string) => PullDecision,
): Promise<PullDecision> {
  const has = (digest: string) => digests.some((d) => d.endsWith(`@${digest}`));
  const interval = request.pullInterval;
  // The record is the local image's: whichever registry answered last time.
  const key = request.localTag;
  if (interval !== undefined) {
    const last = await readCheck(ctx.run.dataDir, key);
    const age = last ? Date.now() - Date.parse(last.checkedAt) : Number.POSITIVE_INFINITY;
    if (last && age < interval && has(last.digest)) {
      return use(
        `checked ${last.reference} ${formatDuration(age)} ago, within the ${formatDuration(interval)} interval`,
      );
    }
  }
  const failures: string[] = [];
  for (const reference of references) {
    const answer = await askDigest(ctx, reference);
    if (!answer.ok) {
      failures.push(`${reference}: ${answer.error}`);
      continue;
    }
    await writeCheck(ctx.run.dataDir, key, {
      checkedAt: new Date().toISOString(),
      digest: answer.digest,
      reference,
    });
    if (has(answer.digest)) {
      return use(`${request.localTag} is up to date with ${reference} (${answer.digest.slice(0, 19)})`);
    }
    const mine = digests[0]?.split('@')[1] ?? 'none';
    return {
      action: 'pull',
      reason: `${reference} has ${answer.digest.slice(0, 19)}, the local image ${mine.slice(0, 19)}: pulling the newer one`,
    };
  }
  const why = failures.join('; ');
  ctx.log.warn(`could not check for a newer image (${why}); using the local ${request.localTag}`);
  return use(`could not check for a newer image (${why}); kept the local image`);
}

/**
 * The registry's digest for `reference`, asked with the credentials a pull
 * would use: when the registry rejects a source, the next one is asked, then
 * anonymous, as `pullAndTag` does.
 */
async function askDigest(ctx: HookContext<unknown>, reference: string): Promise<RemoteDigest> {
  const { registry, repository, tag } = parseReference(reference);
  const rejected: string[] = [];
  let credential = await ctx.credentials(registry, repository);
  for (;;) {
    const answer = await remoteDigest(registry, repository, tag ?? 'latest', {
      auth: credential?.auth,
      signal: ctx.signal,
    });
    if (answer.ok || !credential || (answer.status !== 401 && answer.status !== 403)) return answer;
    rejected.push(credential.source);
    ctx.log.info(
      `the registry rejected the credentials from ${credential.source} for the digest check of ${reference}`,
    );
    credential = await ctx.credentials(registry, repository, { exclude: rejected });
  }
}

async function localImage(
  ctx: HookContext<unknown>,
  request: ResolveRequest,
): Promise<ImageInfo | undefined> {
  const image = await ctx.engine.inspectImage(request.localTag);
  if (!image) return undefined;
  const wanted = request.platform ?? (await ctx.engine.platform());
  return platformMatches(image.platform, wanted) ? image : undefined;
}

function resolved(
  localTag: string,
  image: ImageInfo,
  digest: string | undefined,
  reason: string,
): ResolvedImage {
  return {
    reference: localTag,
    id: image.id,
    digest,
    platform: image.platform,
    source: `local engine (${reason.includes('up to date') ? 'up to date with the registry' : 'kept by the pull policy'})`,
    labels: image.labels,
  };
}
