import path from 'node:path';
import { EngineError, openSession, requestFor, resolveImage } from '@stigmer/core';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { sessionOptions } from '../session.js';
import { VERSION } from '../version.js';

/**
 * `stigmer image export DIR`: resolves the image the current config runs
 * (pulling it if the chain does), then writes it to DIR as a `docker save`
 * archive with a manifest, for `stigmer image import DIR` or the offline
 * plugin's `archives` option on a machine without network.
 */
export async function imageExport(ctx: CommandContext, options: GlobalOptions, dir: string) {
  const { output } = ctx;
  const session = await openSession(sessionOptions(options, output, ctx.signal));
  ctx.session = session;
  output.redact = (text) => session.pipeline.redact(text);
  await session.engine.connect();
  const resolved = await resolveImage(session.pipeline, requestFor(session));
  // The archive keeps the canonical local name, which the offline machine runs by.
  const name = session.settings.localTag;
  if (resolved.reference !== name) await session.engine.tag(resolved.id, name);
  const image = await session.engine.inspectImage(name);
  if (!image) {
    throw new EngineError('ENGINE_FAILED', `The engine lost ${name} between resolving and exporting it.`);
  }
  const { exportImages } = await import('@stigmer/plugin-offline/archive');
  const target = path.resolve(dir);
  const manifest = await exportImages(session.engine, [{ name, image }], target, {
    createdBy: `stigmer ${VERSION}`,
    signal: ctx.signal,
  });
  if (options.json) {
    output.json({ ok: true, dir: target, manifest });
    return;
  }
  for (const entry of manifest.images) {
    output.line(
      `Exported ${entry.name} (${entry.id.slice(0, 19)}, ${entry.platform}) to ${path.join(target, entry.file)} (${megabytes(entry.size)})`,
    );
  }
  output.line(`On the offline machine: stigmer image import ${dir}`);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
