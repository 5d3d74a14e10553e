import { openSession, requestFor, resolveImage } from '@stigmer/core';
import { type CommandContext, connectEngine } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { explainLines, placeLines, traceJson } from '../output/explain.js';
import { pullProgress } from '../output/progress.js';
import { sessionOptions } from '../session.js';

/**
 * `stigmer image resolve` (and `image pull`, which asks registry plugins for
 * a fresh pull): runs the chain and prints the image that would run.
 */
export async function imageResolve(ctx: CommandContext, options: GlobalOptions, purpose: 'resolve' | 'pull') {
  const { output } = ctx;
  const progress = pullProgress(options, output);
  const session = await openSession({
    ...sessionOptions(options, output, ctx.signal),
    onProgress: (event) => progress.onEvent(event),
    onWarn: (plugin, message) => {
      progress.beforeWarning();
      output.warn(message, plugin);
    },
  });
  ctx.session = session;
  output.redact = (text) => session.pipeline.redact(text);
  const endpoint = await connectEngine(ctx, session);
  let image: Awaited<ReturnType<typeof resolveImage>>;
  try {
    image = await resolveImage(session.pipeline, requestFor(session, purpose));
  } finally {
    // The bar goes before anything else is printed, the error included.
    progress.finish();
  }
  const trace = session.pipeline.trace.entries;
  if (options.json) {
    output.result({
      image,
      engine: endpoint,
      configFile: session.configFile ?? null,
      trace: traceJson(trace),
    });
    return;
  }
  const facts = [image.id.slice(0, 19), image.platform].filter(Boolean).join(', ');
  output.line(`${image.reference} (${facts}) from ${image.source}`);
  if (options.explain) {
    output.line('');
    for (const line of placeLines({ endpoint, configFile: session.configFile })) output.line(line);
    output.line('Decisions:');
    for (const line of explainLines(trace)) output.line(line);
  }
}
