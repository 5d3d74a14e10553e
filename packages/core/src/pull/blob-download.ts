import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { formatDuration } from '../duration.js';
import type { PullEvent } from '../engine/types.js';
import { PullError } from '../errors.js';
import type { PullFailureKind } from './classify.js';
import type { RegistrySession } from './registry-auth.js';

/**
 * One blob of an image, fetched by stigmer itself into a file: resumed with
 * `Range` from the bytes a previous attempt left, watched for stalls (no byte
 * for the stall timeout closes stigmer's own connection, which it, unlike the
 * engine's, can close), reported as the engine reports a layer, and accepted
 * only when its size and SHA-256 are the digest's.
 */

/** A blob as a manifest describes it. */
export interface BlobDescriptor {
  digest: string;
  size: number;
}

/** What a direct pull failure is, in `classifyPullError`'s terms, with the words to show. */
export function directFailure(kind: PullFailureKind, said: string, statusCode?: number): PullError {
  return new PullError(kind === 'stalled' ? 'PULL_STALLED' : 'PULL_FAILED', said, {
    details: { kind, said, ...(statusCode === undefined ? {} : { statusCode }) },
  });
}

const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * A request that got no answer at all (DNS, refused, reset), as a failure:
 * `unreachable` when nothing can be reached there, else `transient`. Aborts
 * pass through untouched.
 */
export function networkFailure(error: unknown, what: string, signal: AbortSignal): unknown {
  if (signal.aborted) return error;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const said = `${what}: ${cause?.message ?? (error as Error).message}`;
  return directFailure(UNREACHABLE_CODES.has(code) ? 'unreachable' : 'transient', said);
}

/** The failure kind of an HTTP status a registry answered a blob or manifest request with. */
export function statusKind(status: number): PullFailureKind {
  if (status === 404) return 'not-found';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'transient';
  return 'failed';
}

/** Progress is reported at most this often per blob, as the engine roughly does. */
const PROGRESS_EVERY_MS = 100;

/**
 * Downloads `blob` from `url` into `file` (resuming what is there) and checks
 * it. Throws a `PullError` whose `details.kind` classifies the failure; a
 * file whose content turns out wrong is deleted so the next attempt starts over.
 */
export async function downloadBlob(
  session: RegistrySession,
  url: string,
  blob: BlobDescriptor,
  file: string,
  options: {
    stallTimeoutMs: number;
    signal: AbortSignal;
    onEvent?: ((event: PullEvent) => void) | undefined;
  },
): Promise<void> {
  const layer = blob.digest.replace(/^sha256:/, '').slice(0, 12);
  const report = (status: string, current?: number) =>
    options.onEvent?.({
      type: 'layer',
      layer,
      status,
      ...(current === undefined ? {} : { current, total: blob.size }),
    });
  let have = await sizeOf(file);
  if (have > blob.size) {
    await rm(file, { force: true });
    have = 0;
  }
  if (have < blob.size) {
    report('Downloading', have);
    have = await fetchInto(session, url, blob, file, have, report, options);
  }
  report('Verifying Checksum');
  const actual = await sha256Of(file);
  if (have !== blob.size || actual !== blob.digest) {
    await rm(file, { force: true });
    throw directFailure(
      'failed',
      have !== blob.size
        ? `the registry sent ${have} bytes for ${blob.digest}, not ${blob.size}`
        : `the registry sent ${blob.digest} with SHA-256 ${actual}: damaged in transit or by the registry`,
    );
  }
  report('Download complete');
}

/** One request for the rest of the blob, appended to the file; returns the file's size after it. */
async function fetchInto(
  session: RegistrySession,
  url: string,
  blob: BlobDescriptor,
  file: string,
  have: number,
  report: (status: string, current?: number) => void,
  options: { stallTimeoutMs: number; signal: AbortSignal },
): Promise<number> {
  const stall = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const watch = () => {
    if (!options.stallTimeoutMs) return;
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), options.stallTimeoutMs);
  };
  const signal = AbortSignal.any([options.signal, stall.signal]);
  const stalled = () => directFailure('stalled', `no progress for ${formatDuration(options.stallTimeoutMs)}`);
  watch();
  try {
    const response = await session
      .fetch(url, { headers: have > 0 ? { range: `bytes=${have}-` } : {} }, signal)
      .catch((error: unknown) => {
        if (stall.signal.aborted && !options.signal.aborted) throw stalled();
        throw networkFailure(error, `requesting blob ${blob.digest}`, options.signal);
      });
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw directFailure(
        statusKind(response.status),
        `the registry answered ${response.status} ${response.statusText} for blob ${blob.digest}`.trim(),
        response.status,
      );
    }
    // 200 to a Range request: the registry sends it all, so start over.
    let size = response.status === 206 ? have : 0;
    const out = createWriteStream(file, { flags: response.status === 206 ? 'a' : 'w' });
    let lastReport = 0;
    try {
      for await (const chunk of response.body ?? []) {
        watch();
        const bytes = chunk as Uint8Array;
        if (!out.write(bytes)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        size += bytes.length;
        if (size > blob.size) break;
        const now = performance.now();
        if (now - lastReport >= PROGRESS_EVERY_MS) {
          lastReport = now;
          report('Downloading', size);
        }
      }
    } catch (error) {
      if (stall.signal.aborted && !options.signal.aborted) throw stalled();
      if (options.signal.aborted) throw error;
      throw directFailure('transient', `the blob ${blob.digest} broke off (${(error as Error).message})`);
    } finally {
      await new Promise<void>((resolve) => out.end(() => resolve()));
    }
    report('Downloading', size);
    return size;
  } finally {
    clearTimeout(timer);
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}
