/** The message for an error that is not a stigmer error: a bug, said as one. */
export function internalErrorMessage(error: unknown): string {
  return `Internal error: ${error instanceof Error ? error.message : String(error)}\nThis is a bug in stigmer; rerun with --debug and report the output.`;
}

/** The error and its causes with their stacks, for `--debug`. */
export function debugText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined; e = e instanceof Error ? e.cause : undefined) {
    parts.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
    if (parts.length > 5) break;
  }
  return `\n--debug:\n${parts.join('\ncaused by: ')}`;
}
