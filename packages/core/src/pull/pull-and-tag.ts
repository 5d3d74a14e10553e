import type { Credential } from '../credentials/types.js';
import { formatDuration } from '../duration.js';
import { engineMessage } from '../engine/errors.js';
import { parseReference, splitReference } from '../engine/reference.js';
import type { ImageInfo, PullEvent } from '../engine/types.js';
import { PullError } from '../errors.js';
import { platformMatches } from '../image/platform.js';
import type { ResolvedImage } from '../image/types.js';
import type { HookContext } from '../plugin/context.js';
import { backoffDelay, sleep } from './backoff.js';
import { classifyPullError, type PullFailureKind, RETRYABLE, UNREACHABLE_RETRIES } from './classify.js';
import { type DirectPullResult, directPull } from './direct-pull.js';
import { downloadDir } from './download-dir.js';
import { recordDigest } from './known-digests.js';
import { CODES, type FailureFacts, failureMessage } from './messages.js';
import { fetchManifest } from './registry-client.js';

/** How pulls retry and when they count as stalled (`pull.*` in config). */
export interface PullSettings {
  /** Retries after the first attempt, for rate limits, temporary errors and stalls. Default 3. */
  retries: number;
  /** Base of the exponential backoff between retries, in ms. Default 1000. */
  retryDelayMs: number;
  /** A pull with no progress for this long is closed and retried; 0 disables. Default 60000. */
  stallTimeoutMs: number;
  /** The longest `Retry-After` stigmer waits for; a longer one fails at once. Default 300000. */
  maxRetryAfterMs: number;
}

export const DEFAULT_PULL_SETTINGS: Readonly<PullSettings> = Object.freeze({
  retries: 3,
  retryDelayMs: 1000,
  stallTimeoutMs: 60_000,
  maxRetryAfterMs: 300_000,
});

/** What a registry plugin asks `pullAndTag` for. */
export interface PullAndTagRequest {
  /** The registry reference to pull, e.g. `ghcr.io/stigmer/agent-runner:v0.1.0`. */
  reference: string;
  /** The canonical local name to give the image once it is verified. */
  localTag: string;
  /** `os/arch[/variant]`; undefined: the engine's own. */
  platform?: string | undefined;
  /** Retry and stall settings; defaults for anything left out. */
  settings?: Partial<PullSettings> | undefined;
  /** Added to the unauthorized message, e.g. `set GHCR_TOKEN to a token that can read packages`. */
  credentialHint?: string | undefined;
  /** `source` of the resolved image; default `registry <reference>`. */
  source?: string | undefined;
}

/** How one attempt went, for the trace and the final message. */
interface AttemptState {
  attempts: number;
  credential: Credential | undefined;
  credentialsUsed: string[];
  /** Sources the registry rejected, in the order they were tried. */
  rejected: string[];
  anonymousRetried: boolean;
}

/**
 * The one pull every registry plugin shares: credentials (through the
 * `credentials` hook), pull with retries per failure class, verification that
 * the engine holds the image for the wanted platform, the registry digest
 * recorded, and only then the local tag. Any failure throws a `PullError`
 * (or `InterruptedError`, `EngineError` for an engine that is down) and leaves
 * no local tag; an image pulled for the wrong platform is untagged again.
 */
export async function pullAndTag(
  ctx: HookContext<unknown>,
  request: PullAndTagRequest,
): Promise<ResolvedImage> {
  const settings = { ...DEFAULT_PULL_SETTINGS, ...definedOnly(request.settings ?? {}) };
  const { reference } = request;
  const parsed = parseReference(reference);
  // Independent questions: asked side by side.
  const [wanted, credential, before] = await Promise.all([
    request.platform ?? ctx.engine.platform(),
    ctx.credentials(parsed.registry, parsed.repository),
    ctx.engine.inspectImage(reference),
  ]);
  const state: AttemptState = {
    attempts: 0,
    credential,
    credentialsUsed: [],
    rejected: [],
    anonymousRetried: false,
  };
  const facts = (said: string): FailureFacts => ({
    reference,
    registry: parsed.registry,
    said,
    attempts: state.attempts,
    platform: wanted,
    credentials: describeCredentials(state.credentialsUsed),
    stallTimeoutMs: settings.stallTimeoutMs,
    credentialHint: request.credentialHint,
  });

  let digest: string | undefined;
  let direct: DirectPullResult | undefined;
  // Blobs stigmer fetches itself (after a stall) wait here between attempts, to resume.
  const downloads = await downloadDir(ctx.run.dataDir, ctx.signal);
  try {
    for (;;) {
      state.attempts++;
      state.credentialsUsed.push(
        state.credential ? `credentials from ${state.credential.source}` : 'anonymously',
      );
      try {
        if (wedged.has(ctx.engine)) {
          direct = await directPull(ctx.engine, {
            ...parsed,
            tagOrDigest: parsed.digest ?? parsed.tag ?? 'latest',
            platform: wanted,
            auth: state.credential?.auth,
            stallTimeoutMs: settings.stallTimeoutMs,
            dir: downloads.path,
            signal: ctx.signal,
            onEvent: (event: PullEvent) => ctx.progress(reference, event),
          });
          break;
        }
        const result = await ctx.engine.pull(reference, {
          // Only an explicit platform is sent, as `docker pull` does: the engine
          // picks its own otherwise, and the check below holds either way.
          platform: request.platform,
          auth: state.credential?.auth,
          signal: ctx.signal,
          stallTimeoutMs: settings.stallTimeoutMs,
          onEvent: (event: PullEvent) => ctx.progress(reference, event),
        });
        digest = result.digest;
        break;
      } catch (error) {
        const kind = classifyPullError(error);
        if (kind === 'interrupted' || kind === 'engine-down') throw error;
        if (kind === 'stalled' && !wedged.has(ctx.engine)) {
          // The engine keeps the hung transfer: its next pull of these layers would wait on it.
          wedged.add(ctx.engine);
          ctx.log.info(
            `the engine keeps the stalled download of ${reference}; stigmer fetches the image itself from now on`,
          );
        }
        const said = kind === 'stalled' ? (error as Error).message : engineMessage(error);
        if (kind === 'unauthorized' && state.credential) {
          await nextCredential(ctx, parsed, state);
          continue;
        }
        const wait = await retryWait(kind, state.attempts, settings, parsed, state.credential, ctx.signal);
        if (wait.retry) {
          const reason = `${kind === 'stalled' ? 'stalled' : kind === 'rate-limited' ? 'rate limited' : 'temporary error'}: ${said}`;
          ctx.log.info(
            `attempt ${state.attempts} of ${reference} failed (${reason}); retrying in ${formatDuration(wait.delayMs)}${wait.fromHeader ? ' as Retry-After asks' : ''}`,
          );
          ctx.progress(reference, { type: 'retry', attempt: state.attempts, delayMs: wait.delayMs, reason });
          await sleep(wait.delayMs, ctx.signal);
          continue;
        }
        const available =
          kind === 'wrong-platform' ? await listPlatforms(parsed, state.credential, ctx.signal) : undefined;
        throw failure(kind, { ...facts(said), available, retryAfterMs: wait.tooLongMs }, error);
      }
    }
  } finally {
    await downloads.remove();
  }

  if (direct) return nameDirect(ctx, request, direct, viaNote(state));
  const image = await ctx.engine.inspectImage(reference);
  if (!image) {
    throw failure('failed', facts('the pull reported success, but the engine does not have the image'));
  }
  if (!platformMatches(image.platform, wanted)) {
    // The engine pulls a single-platform image whatever platform was asked, and says nothing.
    await undoPull(ctx, reference, before, image);
    throw failure('wrong-platform', {
      ...facts(`the image is ${image.platform}`),
      available: [image.platform],
    });
  }
  const repository = splitReference(reference).name;
  const repoDigest =
    image.repoDigests.find((d) => digest !== undefined && d.endsWith(`@${digest}`)) ??
    image.repoDigests.find((d) => d.startsWith(`${repository}@`));
  // Tag by id: the reference could be re-pointed by a concurrent pull in between.
  await ctx.engine.tag(image.id, request.localTag);
  const via = viaNote(state);
  ctx.note(
    `pulled ${reference}${via} and tagged it ${request.localTag} (${image.platform}, ${repoDigest?.split('@')[1] ?? 'no digest'})`,
    {
      reference,
    },
  );
  return {
    reference: request.localTag,
    id: image.id,
    digest: repoDigest,
    platform: image.platform,
    source: request.source ?? `registry ${reference}`,
    labels: image.labels,
  };
}

/**
 * Engines that stalled on a pull in this run: they keep the hung transfer,
 * so later pulls of the run go around them (`directPull`).
 */
const wedged = new WeakSet<object>();

/**
 * Names an image stigmer fetched and loaded itself, by id, now that its
 * blobs, manifest, id and platform have been checked: the registry reference
 * (as the engine's pull would leave it), then the local tag. A loaded image
 * has no `RepoDigests`; the digest stigmer verified is recorded instead, for
 * the `newer` check and digest pins.
 */
async function nameDirect(
  ctx: HookContext<unknown>,
  request: PullAndTagRequest,
  direct: DirectPullResult,
  via: string,
): Promise<ResolvedImage> {
  const { reference } = request;
  const repoDigest = `${splitReference(reference).name}@${direct.digest}`;
  await recordDigest(ctx.run.dataDir, direct.id, repoDigest);
  await ctx.engine.tag(direct.id, reference);
  await ctx.engine.tag(direct.id, request.localTag);
  const image = await ctx.engine.inspectImage(direct.id);
  ctx.note(
    `pulled ${reference}${via}, fetched by stigmer itself after the engine stalled, and tagged it ${request.localTag} (${direct.platform}, ${direct.digest})`,
    { reference },
  );
  return {
    reference: request.localTag,
    id: direct.id,
    digest: repoDigest,
    platform: image?.platform ?? direct.platform,
    source: request.source ?? `pulled from ${reference}`,
    labels: image?.labels,
  };
}

/**
 * After the registry rejected `state.credential`: the next credential source
 * (the hook asked again without the rejected ones), else anonymous, so that
 * a wrong GitHub token never hides a valid `docker login`, and an expired
 * login never blocks a public image.
 */
async function nextCredential(
  ctx: HookContext<unknown>,
  parsed: { registry: string; repository: string },
  state: AttemptState,
): Promise<void> {
  const rejected = state.credential as Credential;
  state.rejected.push(rejected.source);
  const next = await ctx.credentials(parsed.registry, parsed.repository, { exclude: state.rejected });
  ctx.log.warn(
    `${parsed.registry} rejected the credentials from ${rejected.source}; trying ${next ? `credentials from ${next.source}` : 'anonymously'}`,
  );
  state.credential = next;
  if (!next) state.anonymousRetried = true;
}

/** How the pull got in, when a credential was rejected first. */
function viaNote(state: AttemptState): string {
  if (state.rejected.length === 0) return '';
  const how = state.credential ? `with credentials from ${state.credential.source}` : 'anonymously';
  return ` (${how}, after the registry rejected credentials from ${state.rejected.join(', then ')})`;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function describeCredentials(used: readonly string[]): string {
  const distinct = used.filter((u, i) => used.indexOf(u) === i);
  return distinct.join(', then ');
}

/** Whether to retry, and after how long. */
async function retryWait(
  kind: PullFailureKind,
  attempts: number,
  settings: PullSettings,
  parsed: { registry: string; repository: string; tag?: string | undefined; digest?: string | undefined },
  credential: Credential | undefined,
  signal: AbortSignal,
): Promise<{ retry: boolean; delayMs: number; fromHeader?: boolean; tooLongMs?: number }> {
  const retries = kind === 'unreachable' ? Math.min(settings.retries, UNREACHABLE_RETRIES) : settings.retries;
  if (!RETRYABLE.has(kind) || attempts > retries) return { retry: false, delayMs: 0 };
  const backoff = backoffDelay(attempts - 1, settings.retryDelayMs);
  if (kind !== 'rate-limited') return { retry: true, delayMs: backoff };
  // The engine drops Retry-After: ask the registry once more to read it.
  const retryAfterMs = await probeRetryAfter(parsed, credential, signal);
  if (retryAfterMs === undefined) return { retry: true, delayMs: backoff };
  if (retryAfterMs > settings.maxRetryAfterMs) return { retry: false, delayMs: 0, tooLongMs: retryAfterMs };
  return { retry: true, delayMs: retryAfterMs, fromHeader: true };
}

async function probeRetryAfter(
  parsed: ParsedRef,
  credential: Credential | undefined,
  signal: AbortSignal,
): Promise<number | undefined> {
  const answer = await askManifest(parsed, credential, signal);
  return answer?.status === 429 ? answer.retryAfterMs : undefined;
}

/** The platforms a tag offers, asked of the registry; `undefined` when it cannot say. */
async function listPlatforms(
  parsed: ParsedRef,
  credential: Credential | undefined,
  signal: AbortSignal,
): Promise<string[] | undefined> {
  return (await askManifest(parsed, credential, signal))?.platforms;
}

type ParsedRef = {
  registry: string;
  repository: string;
  tag?: string | undefined;
  digest?: string | undefined;
};

/** The registry's answer for the reference's manifest; `undefined` when it could not be asked (never for an abort). */
async function askManifest(parsed: ParsedRef, credential: Credential | undefined, signal: AbortSignal) {
  try {
    const ref = parsed.digest ?? parsed.tag ?? 'latest';
    return await fetchManifest(parsed.registry, parsed.repository, ref, { auth: credential?.auth, signal });
  } catch {
    if (signal.aborted) throw signal.reason;
    return undefined;
  }
}

/**
 * Takes back what a wrong-platform pull added: the reference's tag, and the
 * image itself when nothing else names it. A different image the reference
 * named before gets its name back.
 */
async function undoPull(
  ctx: HookContext<unknown>,
  reference: string,
  before: ImageInfo | undefined,
  pulled: ImageInfo,
): Promise<void> {
  if (before?.id === pulled.id) return;
  try {
    await ctx.engine.removeImage(reference);
    if (before) await ctx.engine.tag(before.id, reference);
  } catch (error) {
    ctx.log.warn(
      `could not remove ${reference} after pulling it for the wrong platform: ${engineMessage(error)}`,
    );
  }
}

function failure(kind: PullFailureKind, facts: FailureFacts, cause?: unknown): PullError {
  const key = kind === 'engine-down' || kind === 'interrupted' ? 'failed' : kind;
  return new PullError(CODES[key], failureMessage(key, facts), {
    ...(cause === undefined ? {} : { cause }),
    details: {
      reference: facts.reference,
      kind: key,
      attempts: facts.attempts,
      platform: facts.platform,
      ...(facts.available ? { available: facts.available } : {}),
      said: facts.said,
    },
  });
}
