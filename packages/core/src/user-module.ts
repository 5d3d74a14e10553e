/**
 * Importing the user's own code: JavaScript config files and plugins. Their
 * top-level code runs inside stigmer's process, so two ways it can go wrong
 * are caught here. A top-level `await` on a promise nothing will ever settle
 * leaves the event loop empty with the import still pending: Node then ends
 * the process silently with exit code 13. `beforeExit` fires just before
 * that, so the import is failed then, with `stuck()`'s error, and the error
 * is reported like any other.
 */
export async function importUserModule(url: string, stuck: () => Error): Promise<Record<string, unknown>> {
  let onBeforeExit: (() => void) | undefined;
  const neverSettles = new Promise<never>((_, reject) => {
    onBeforeExit = () => reject(stuck());
    process.once('beforeExit', onBeforeExit);
  });
  try {
    return (await Promise.race([import(url), neverSettles])) as Record<string, unknown>;
  } finally {
    if (onBeforeExit) process.removeListener('beforeExit', onBeforeExit);
  }
}
