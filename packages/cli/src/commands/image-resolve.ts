import { openSession, requestFor, resolveImage } from '@stigmer/core';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { explainLines, traceJson } from '../output/explain.js';
import { ProgressRenderer, progressMode } from '../output/progress.js';
import { sessionOptions } from '../session.js';

/**
 * `stigmer image resolve` (and `image pull`, which asks registry plugins for
 * a fresh pull): runs the chain and prints the image that would run.
 */
export async function imageResolve(ctx: CommandContext, options: GlobalOptions, purpose: 'resolve' | 'pull') {
  const { output } = ctx;
  const progress = new ProgressRenderer(
    progressMode(options, process.env, Boolean(process.stderr.isTTY)),
    process.stderr,
    { color: !process.env.NO_COLOR && Boolean(process.stderr.isTTY), redact: (text) => output.redact(text) },
  );
  const session = await openSession({
    ...sessionOptions(options, output, ctx.signal),
    onProgress: (event) => progress.onEvent(event),
    onWarn: (plugin, message) => {
      if (!progress.warn(plugin, message)) output.warn(`${plugin}: ${message}`);
    },
  });
  ctx.session = session;
  output.redact = (text) => session.pipeline.redact(text);
  const endpoint = await session.engine.connect();
  let image: Awaited<ReturnType<typeof resolveImage>>;
  try {
    image = await resolveImage(session.pipeline, requestFor(session, purpose));
  } finally {
    // The bar goes before anything else is printed, the error included.
    progress.finish();
  }
  const trace = session.pipeline.trace.entries;
  if (options.json) {
    output.json({
      ok: true,
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
    output.line(`Engine: ${endpoint.host} (${endpoint.source})`);
    output.line(`Config: ${session.configFile ?? 'none found; the built-in default chain applies'}`);
    output.line('Decisions:');
    for (const line of explainLines(trace)) output.line(line);
  }
}
