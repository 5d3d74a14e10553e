import path from 'node:path';
import { loadSettings } from '@stigmer/core/host';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { sessionOptions } from '../session.js';

/**
 * `stigmer image import DIR`: loads the images of an archive folder written
 * by `stigmer image export` into the engine, each checked against the
 * manifest (checksum, id, platform). Touches no network.
 */
export async function imageImport(ctx: CommandContext, options: GlobalOptions, dir: string) {
  const { output } = ctx;
  const { settings } = await loadSettings(sessionOptions(options, output, ctx.signal));
  ctx.interruptible();
  const { DockerEngine } = await import('@stigmer/core/host');
  const engine = new DockerEngine({
    env: process.env,
    ...(settings.engine.host ? { host: settings.engine.host } : {}),
    callTimeoutMs: settings.engine.timeout,
    signal: ctx.signal,
  });
  ctx.endpoint = await engine.connect();
  const { importImages } = await import('@stigmer/core/host');
  const folder = path.resolve(dir);
  const imported = await importImages(engine, folder, {
    platform: settings.image.platform ?? (await engine.platform()),
    signal: ctx.signal,
  });
  if (options.json) {
    output.result({ dir: folder, images: imported, engine: ctx.endpoint });
    return;
  }
  for (const image of imported) {
    output.line(`Imported ${image.name} (${image.id.slice(0, 19)}, ${image.platform}) from ${image.file}`);
  }
}
