import { ImageError } from '../errors.js';
import type { ResolvedImage, ResolveRequest } from '../image/types.js';
import type { TraceEntry } from '../trace/trace.js';
import type { Pipeline } from './pipeline.js';

/** How many times after-resolve checks may send the chain round again. */
const MAX_RETRIES = 2;

/**
 * Runs the resolution chain, then the after-resolve checks; when nothing
 * resolved, gathers hints and fails with `IMAGE_UNRESOLVED`.
 */
export async function resolveImage(pipeline: Pipeline, request: ResolveRequest): Promise<ResolvedImage> {
  let current = request;
  for (let round = 0; ; round++) {
    const image = await pipeline.call('resolveImage', current);
    if (!image) throw await unresolved(pipeline, current);
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
  const attempts = pipeline.trace.of('resolveImage');
  const hints = await pipeline.collect('unresolved', { request, attempts });
  const message = hints.length > 0 ? hints.join('\n\n') : defaultMessage(request, attempts);
  return new ImageError('IMAGE_UNRESOLVED', message, {
    details: { localTag: request.localTag, attempts: attempts.map(attemptSummary) },
  });
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

/** One line saying what a resolver tried, for error messages. */
export function describeAttempt(entry: TraceEntry): string {
  const parts = [`  - ${entry.plugin}: ${entry.reason ?? entry.outcome}`];
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
