import path from 'node:path';
import { EngineError } from '@stigmer/core';
import { requestFor, resolveImage } from '@stigmer/core/host';
import { type CommandContext, connectEngine } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { explainBlock, runFacts } from '../output/explain.js';
import { formatBytes } from '../output/units.js';
import { VERSION } from '../version.js';
import { openChainSession } from './chain-session.js';

/**
 * `stigmer image export DIR`: resolves the image the current config runs
 * (pulling it if the chain does), then writes it to DIR as a `docker save`
 * archive with a manifest, for `stigmer image import DIR` or the offline
 * plugin's `archives` option on a machine without network.
 */
export async function imageExport(ctx: CommandContext, options: GlobalOptions, dir: string) {
  const { output } = ctx;
  const { session, progress } = await openChainSession(ctx, options);
  const endpoint = await connectEngine(ctx, session);
  let resolved: Awaited<ReturnType<typeof resolveImage>>;
  try {
    resolved = await resolveImage(session.pipeline, requestFor(session));
  } finally {
    progress.finish();
  }
  // The archive keeps the canonical local name, which the offline machine runs by.
  const name = session.settings.image.localTag;
  if (resolved.reference !== name) await session.engine.tag(resolved.id, name);
  const image = await session.engine.inspectImage(name);
  if (!image) {
    throw new EngineError('ENGINE_FAILED', `The engine lost ${name} between resolving and exporting it.`);
  }
  const { exportImages } = await import('@stigmer/core/host');
  const target = path.resolve(dir);
  const manifest = await exportImages(session.engine, [{ name, image }], target, {
    createdBy: `stigmer ${VERSION}`,
    signal: ctx.signal,
  });
  const trace = session.pipeline.trace;
  if (options.json) {
    output.result({ dir: target, manifest, ...runFacts(session, endpoint) });
    return;
  }
  for (const entry of manifest.images) {
    output.line(
      `Exported ${entry.name} (${entry.id.slice(0, 19)}, ${entry.platform}) to ${path.join(target, entry.file)} (${formatBytes(entry.size)})`,
    );
  }
  output.line(`On the offline machine: stigmer image import ${dir}`);
  if (options.explain) {
    for (const line of explainBlock(
      { endpoint, configFile: session.configFile, plugins: session.pipeline.plugins },
      trace,
    ))
      output.line(line);
  }
}
