import type { HookName } from '../hooks.js';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * What is wrong with a tap's result, or `undefined` when it is acceptable.
 * Hand-written rather than zod so that running hooks never loads a validator.
 */
export function checkResult(hook: HookName, result: unknown): string | undefined {
  if (result === undefined) return undefined;
  if (result === null) return 'returned null; return undefined to pass to the next plugin';
  switch (hook) {
    case 'resolveImage':
      if (!isObject(result))
        return `returned ${typeof result}; expected an image { reference, id, source } or undefined`;
      for (const key of ['reference', 'id', 'source'] as const) {
        if (!isText(result[key])) return `returned an image without a "${key}" string`;
      }
      return undefined;
    case 'credentials':
      if (!isObject(result) || !isText(result.source) || !isObject(result.auth))
        return 'returned a credential without "source" text and an "auth" object';
      return undefined;
    case 'imageResolved':
      if (
        !isObject(result) ||
        (result.action !== 'reject' && result.action !== 'retry') ||
        !isText(result.reason)
      )
        return 'returned a verdict that is neither { action: "reject", reason } nor { action: "retry", reason }';
      return undefined;
    case 'unresolved':
      return typeof result === 'string'
        ? undefined
        : `returned ${typeof result}; expected hint text or undefined`;
    case 'containerSpec':
      if (!isObject(result) || !isText(result.name) || !isText(result.image) || !isObject(result.env))
        return 'returned a container spec without "name", "image" and "env"';
      return undefined;
    case 'runtimeFind':
    case 'runtimeCreate':
    case 'runtimeUpdate':
    case 'runtimeInspect':
    case 'runtimeLogs':
    case 'runtimeStop':
      return isObject(result) && isText(result.runtime)
        ? undefined
        : 'returned an answer without "runtime" (the runtime plugin\'s name)';
    case 'renderManifest':
      if (!isObject(result) || !Array.isArray(result.documents) || !result.documents.every(isObject))
        return 'returned a manifest without a "documents" list of objects';
      if (!Array.isArray(result.notes) || !result.notes.every((n) => typeof n === 'string'))
        return 'returned a manifest without a "notes" list of strings';
      return undefined;
    default:
      return undefined;
  }
}
