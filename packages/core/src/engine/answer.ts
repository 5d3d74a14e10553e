import { EngineError } from '../errors.js';

/**
 * Checks of what the engine answers, before anything reads it. dockerode
 * hands over the raw bytes when an answer is not JSON (a proxy's error page,
 * a half-written reply), and code reading `Name` from a Buffer fails far
 * from the cause; here it fails at once, saying what came instead.
 */

/** Up to 80 characters of what came, printable only, for the message. */
function sample(answer: unknown): string {
  const text = Buffer.isBuffer(answer) ? answer.toString('utf8') : String(answer);
  const printable = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return printable.length > 80 ? `${printable.slice(0, 80)}...` : printable;
}

function notAnAnswer(answer: unknown, operation: string, expected: string): EngineError {
  const what =
    Buffer.isBuffer(answer) || typeof answer === 'string'
      ? `text that is not JSON ("${sample(answer)}")`
      : `JSON that is not ${expected}`;
  return new EngineError(
    'ENGINE_FAILED',
    `Docker engine could not ${operation}: it answered with ${what}. Is the engine address (DOCKER_HOST, docker context) a Docker engine, or a proxy in front of one that garbles its answers?`,
    { details: { operation, answer: sample(answer) } },
  );
}

/** The answer of an inspect call: a JSON object with a string `Id`. */
export function inspectAnswer<T extends { Id: string }>(answer: unknown, operation: string): T {
  if (answer && typeof answer === 'object' && !Buffer.isBuffer(answer)) {
    if (typeof (answer as { Id?: unknown }).Id === 'string') return answer as T;
  }
  throw notAnAnswer(answer, operation, 'an object with an Id');
}

/** The answer of a list call: a JSON array of objects with a string `Id`. */
export function listAnswer<T extends { Id: string }>(answer: unknown, operation: string): T[] {
  if (Array.isArray(answer) && answer.every((item) => typeof item?.Id === 'string')) return answer as T[];
  throw notAnAnswer(answer, operation, 'a list of objects with an Id');
}

// A container name (docker's own rule, with its optional leading slash) or a hex id.
const CONTAINER_REF = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
// An image name, tag, digest or id: no spaces, no empty or dot-dot path segments.
const IMAGE_REF = /^[a-zA-Z0-9][a-zA-Z0-9_.:/@+-]*$/;

/**
 * True when `value` can name a container. Anything else (an empty id from a
 * hand-edited state file, a path like `../../images/json`) would change the
 * request's path: such a container cannot exist, and no request is sent.
 */
export function isContainerRef(value: string): boolean {
  return CONTAINER_REF.test(value) && value.length <= 256;
}

/** True when `value` can name an image (reference or id); see `isContainerRef`. */
export function isImageRef(value: string): boolean {
  return IMAGE_REF.test(value) && !/(^|\/)\.\.?(\/|$)|\/\//.test(value) && value.length <= 512;
}

/** `ENGINE_FAILED` for a name that cannot be sent to the engine. */
export function badRefError(kind: 'container' | 'image', value: string, operation: string): EngineError {
  return new EngineError(
    'ENGINE_FAILED',
    `Docker engine could not ${operation}: ${JSON.stringify(value)} is not a valid ${kind} ${kind === 'container' ? 'name or id' : 'reference'}.`,
    { details: { operation, [kind]: value } },
  );
}
