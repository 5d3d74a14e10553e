import { ImageError, InterruptedError, isStigmerError, PullError, type StigmerError } from '../errors.js';
import type { PullFailure, ResolvedImage, ResolveRequest } from '../image/types.js';
import type { TraceEntry } from '../trace/trace.js';
import type { Pipeline } from './pipeline.js';
import { verifyResolved } from './verify-resolved.js';

/** How many times after-resolve checks may send the chain round again. */
const MAX_RETRIES = 2;

/**
 * Runs the resolution chain, checks the image it resolved against the engine,
 * then runs the after-resolve checks; when nothing resolved, gathers hints
 * and fails with `IMAGE_UNRESOLVED`. When the chain ends because a pull
 * failed, the hints are gathered too and follow the pull's own message; the
 * error keeps the pull's code (and so its exit code).
 */
export async function resolveImage(pipeline: Pipeline, request: ResolveRequest): Promise<ResolvedImage> {
  let current = request;
  for (let round = 0; ; round++) {
    const image = await resolvers(pipeline, current);
    if (!image) throw await unresolved(pipeline, current);
    const resolver = pipeline.traceOf('resolveImage').findLast((e) => e.outcome === 'resolved');
    await verifyResolved(pipeline.engine, image, resolver, resolver && pipeline.inspectedDuring(resolver));
    const verdict = await pipeline.call('imageResolved', image);
    if (!verdict) return image;
    if (verdict.action === 'reject' || round >= MAX_RETRIES) {
      const why =
        verdict.action === 'reject'
          ? verdict.reason
          : `still refused after ${MAX_RETRIES} retries: ${verdict.reason}`;
      throw new ImageError(
        'IMAGE_REJECTED',
        `The image ${image.reference} (${image.source}) was refused: ${why}`,
        {
          details: { reference: image.reference, reason: verdict.reason },
        },
      );
    }
    current = { ...current, ...verdict.request };
  }
}

async function unresolved(pipeline: Pipeline, request: ResolveRequest): Promise<ImageError> {
  const attempts = pipeline.traceOf('resolveImage');
  const hints = await pipeline.collect('unresolved', {
    request,
    attempts,
    tried: attempts.map(describeAttempt),
  });
  const message = hints.length > 0 ? hints.join('\n\n') : defaultMessage(request, attempts);
  return new ImageError('IMAGE_UNRESOLVED', message, {
    details: { localTag: request.localTag, attempts: attempts.map(attemptSummary) },
  });
}

/** The `resolveImage` chain, with a failed pull's hints added to its error. */
async function resolvers(pipeline: Pipeline, request: ResolveRequest): Promise<ResolvedImage | undefined> {
  try {
    return await pipeline.call('resolveImage', request);
  } catch (error) {
    throw await pullFailed(pipeline, request, error);
  }
}

/**
 * A resolver's failed pull, followed by what the `unresolved` hook adds
 * (the build hint). Any other error passes through untouched. A hint that
 * fails is in the trace; the pull's own message is still the one shown.
 */
async function pullFailed(pipeline: Pipeline, request: ResolveRequest, error: unknown): Promise<unknown> {
  if (!isStigmerError(error) || !error.code.startsWith('PULL_')) return error;
  const failure = pullFailure(error);
  let hints: string[];
  try {
    const attempts = pipeline.traceOf('resolveImage');
    hints = await pipeline.collect('unresolved', {
      request,
      attempts,
      tried: attempts.map(describeAttempt),
      failure,
    });
  } catch (hintError) {
    if (hintError instanceof InterruptedError) throw hintError;
    return error;
  }
  if (hints.length === 0) return error;
  return new PullError(error.code, [error.message, ...hints].join('\n\n'), {
    cause: error,
    ...(error.plugin ? { plugin: error.plugin } : {}),
    ...(error.hook ? { hook: error.hook } : {}),
    details: error.details,
  });
}

function pullFailure(error: StigmerError): PullFailure {
  const { reference, said } = error.details;
  return {
    code: error.code,
    message: error.message,
    plugin: error.plugin,
    reference: typeof reference === 'string' ? reference : undefined,
    error: typeof said === 'string' ? said : undefined,
  };
}

function defaultMessage(request: ResolveRequest, attempts: readonly TraceEntry[]): string {
  const tried =
    attempts.length === 0
      ? ['  (no plugin taps resolveImage; add one to "plugins")']
      : attempts.map(describeAttempt);
  return [`No plugin could provide the agent-runner image ${request.localTag}.`, '', 'Tried:', ...tried].join(
    '\n',
  );
}

/**
 * One line saying what a resolver tried, for error messages. A failed call's
 * reason is its whole error message: its first line is enough here.
 */
function describeAttempt(entry: TraceEntry): string {
  const reason = entry.reason?.split('\n')[0];
  const parts = [`  - ${entry.plugin}: ${reason ?? entry.outcome}`];
  if (entry.error && !entry.reason?.includes(entry.error)) parts.push(`(${entry.error})`);
  return parts.join(' ');
}

function attemptSummary(entry: TraceEntry) {
  return {
    plugin: entry.plugin,
    outcome: entry.outcome,
    reason: entry.reason,
    reference: entry.reference,
    error: entry.error,
  };
}
