import { openSession, requestFor, resolveImage } from '@stigmer/core';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { explainLines, traceJson } from '../output/explain.js';
import { sessionOptions } from '../session.js';

/**
 * `stigmer image resolve` (and `image pull`, which asks registry plugins for
 * a fresh pull): runs the chain and prints the image that would run.
 */
export async function imageResolve(ctx: CommandContext, options: GlobalOptions, purpose: 'resolve' | 'pull') {
  const { output } = ctx;
  const session = await openSession(sessionOptions(options, output, ctx.signal));
  ctx.session = session;
  output.redact = (text) => session.pipeline.redact(text);
  const endpoint = await session.engine.connect();
  const image = await resolveImage(session.pipeline, requestFor(session, purpose));
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
