import type { Engine } from '../engine/types.js';
import { ServerError, type StigmerError } from '../errors.js';

/** How many of the container's last lines a failed start quotes. */
export const EVIDENCE_LINES = 20;
/** At most this much of its output is read, however long its lines. */
const MAX_BYTES = 64 * 1024;
const MAX_LINE = 400;

/**
 * The last lines a container printed, with `redact` applied (the secret
 * values it runs with); empty when it printed nothing or the engine cannot
 * say. Never throws: it serves an error that is already on its way.
 */
export async function lastOutput(
  engine: Engine,
  id: string,
  redact: (text: string) => string,
  lines = EVIDENCE_LINES,
): Promise<string[]> {
  let text = '';
  try {
    const stream = await engine.logs(id, { follow: false, tail: lines });
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      text += chunk.toString();
      if (text.length > MAX_BYTES) break;
    }
  } catch {
    return [];
  }
  return redact(text)
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line, i, all) => line !== '' || i < all.length - 1)
    .slice(-lines)
    .map((line) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}...` : line));
}

/**
 * The start failure, with what the container left: its last output in the
 * message and in `details.output`, and where to look next. `kept` says
 * whether the stopped container stays for `server logs`.
 */
export function withEvidence(error: StigmerError, name: string, output: readonly string[], kept: boolean) {
  const shown =
    output.length > 0
      ? [
          `Its last output (${output.length} line${output.length === 1 ? '' : 's'}):`,
          ...output.map((l) => `  | ${l}`),
        ]
      : ['It printed nothing.'];
  const next = kept
    ? `The stopped container is kept so you can look: \`stigmer server logs\` (or \`docker logs ${name}\`); the next \`stigmer server start\` or \`stop\` removes it.`
    : '';
  return new ServerError(error.code, [error.message, ...shown, next].filter(Boolean).join('\n'), {
    cause: error,
    details: { ...error.details, output: [...output], kept },
  });
}
