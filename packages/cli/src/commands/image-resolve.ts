import { requestFor, resolveImage } from '@stigmer/core/host';
import { type CommandContext, connectEngine } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { explainBlock, runFacts } from '../output/explain.js';
import { openChainSession } from './chain-session.js';

/**
 * `stigmer image resolve` (and `image pull`, which asks registry plugins for
 * a fresh pull): runs the chain and prints the image that would run.
 */
export async function imageResolve(ctx: CommandContext, options: GlobalOptions, purpose: 'resolve' | 'pull') {
  const { output } = ctx;
  const { session, progress } = await openChainSession(ctx, options);
  const endpoint = await connectEngine(ctx, session);
  let image: Awaited<ReturnType<typeof resolveImage>>;
  try {
    image = await resolveImage(session.pipeline, requestFor(session, purpose));
  } finally {
    // The bar goes before anything else is printed, the error included.
    progress.finish();
  }
  const trace = session.pipeline.trace;
  if (options.json) {
    output.result({ image, ...runFacts(session, endpoint) });
    return;
  }
  const facts = [image.id.slice(0, 19), image.platform].filter(Boolean).join(', ');
  output.line(`${image.reference} (${facts}) from ${image.source}`);
  if (options.explain) {
    for (const line of explainBlock(
      { endpoint, configFile: session.configFile, plugins: session.pipeline.plugins },
      trace,
    ))
      output.line(line);
  }
}
