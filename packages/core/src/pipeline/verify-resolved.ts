import type { Engine, ImageInfo } from '../engine/types.js';
import { PluginError } from '../errors.js';
import type { ResolvedImage } from '../image/types.js';
import type { TraceEntry } from '../trace/trace.js';

/**
 * Checks what a resolver says it resolved against the engine: the reference
 * must name an image the engine has, and the id must be that image's. A
 * plugin's word is not enough: a wrong answer would otherwise surface later as
 * an engine error at create time, or as a container labelled with an image id
 * it does not run. A mismatch is `PLUGIN_INVALID_RESULT` naming the plugin;
 * its trace entry is marked failed. `seen`: the image inspects the resolver
 * made in its call; when the engine told it this reference is this id, that
 * answer is the engine's word, and it is not asked again.
 */
export async function verifyResolved(
  engine: Engine,
  image: ResolvedImage,
  entry: TraceEntry | undefined,
  seen?: ReadonlyMap<string, ImageInfo | undefined>,
): Promise<void> {
  const plugin = entry?.plugin ?? 'unknown';
  // What the resolver itself just read from the engine, when it says the same, is not asked again.
  if (seen?.get(image.reference)?.id === image.id) return;
  const found = await engine.inspectImage(image.reference);
  let problem: string | undefined;
  if (!found) problem = `resolved ${image.reference}, but the engine has no such image`;
  else if (found.id !== image.id)
    problem = `resolved ${image.reference} as ${image.id}, but the engine's ${image.reference} is ${found.id}`;
  if (!problem) return;
  const error = new PluginError(
    'PLUGIN_INVALID_RESULT',
    `Plugin "${plugin}" ${problem} (hook "resolveImage").`,
    {
      plugin,
      hook: 'resolveImage',
      details: { reference: image.reference, id: image.id, engineId: found?.id ?? null },
    },
  );
  if (entry) {
    entry.outcome = 'failed';
    entry.reason = error.message;
    entry.code = error.code;
  }
  throw error;
}
