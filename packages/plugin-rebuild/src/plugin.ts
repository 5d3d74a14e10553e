import path from 'node:path';
import {
  definePlugin,
  type HookContext,
  type ImageVerdict,
  type ResolvedImage,
  type ResolveRequest,
  type StigmerPlugin,
} from '@stigmer/core';
import { buildCommand, DEFAULT_BUILD, runBuild } from './build.js';
import { hashInputs, INPUTS_LABEL } from './inputs.js';
import type { RebuildOptions } from './options.js';
import { VERSION } from './package-version.js';

/**
 * Rebuild detection for people who work on the agent-runner itself. After
 * resolution (`imageResolved`), compares the hash of the source folder's
 * build inputs with the label the build stamped on the image, and tells the
 * user when the image is older than the sources. With `--build` (the
 * `build` setting, also `STIGMER_BUILD=1`) or `autoBuild: true` it runs the build command, output
 * streamed, and sends the chain round again to pick up the new image. Its
 * `resolveImage` tap builds the image when nothing before it resolved one.
 */
export function rebuildPlugin(): StigmerPlugin<RebuildOptions> {
  return definePlugin<RebuildOptions>({
    name: 'stigmer:rebuild',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    apply(hooks, options) {
      // Per run: build at most once; an image still stale after that is refused.
      let built = false;
      hooks.resolveImage.tap(async (request, ctx) => {
        if (!(request.build || options.autoBuild)) {
          ctx.note(
            `sources at ${sourceDir(ctx, options)}; run with --build to build ${request.localTag} from them`,
          );
          return undefined;
        }
        const { hash } = await hashInputs(sourceDir(ctx, options), options.inputs);
        await build(request.localTag, hash, ctx, options);
        built = true;
        return builtImage(request, ctx);
      });
      hooks.imageResolved.tap(async (image, ctx) => {
        const verdict = await check(image, ctx, options, built);
        if (verdict?.action === 'retry') built = true;
        return verdict;
      });
    },
  });
}

function sourceDir(ctx: HookContext<RebuildOptions>, options: RebuildOptions): string {
  const base = ctx.run.configFile ? path.dirname(ctx.run.configFile) : ctx.run.cwd;
  return path.resolve(base, options.source);
}

/**
 * After resolution there is no request to read: the run's `build` setting
 * is the flag the request carried (`--build`, `STIGMER_BUILD`).
 */
function wantsBuild(ctx: HookContext<RebuildOptions>, options: RebuildOptions): boolean {
  return options.autoBuild === true || ctx.run.settings.build === true;
}

async function check(
  image: ResolvedImage,
  ctx: HookContext<RebuildOptions>,
  options: RebuildOptions,
  built: boolean,
): Promise<ImageVerdict | undefined> {
  const source = sourceDir(ctx, options);
  const { hash, files } = await hashInputs(source, options.inputs);
  const stamped = image.labels?.[INPUTS_LABEL];
  if (stamped === hash) {
    ctx.log.info(`${image.reference} was built from the current ${files.join(', ')} in ${source}`);
    return undefined;
  }
  const why =
    stamped === undefined
      ? `${image.reference} has no ${INPUTS_LABEL} label, so it was not built from ${source} by stigmer`
      : `${image.reference} is older than its sources: ${files.join(', ')} in ${source} changed since it was built`;
  if (built) {
    return {
      action: 'reject',
      reason: `${why}, even after the build. Does the build command stamp --label ${INPUTS_LABEL}={hash}?`,
    };
  }
  if (!wantsBuild(ctx, options)) {
    ctx.log.warn(`${why}. Run with --build (or set autoBuild: true) to rebuild it.`);
    return undefined;
  }
  await build(image.reference, hash, ctx, options);
  return { action: 'retry', reason: `${why}; rebuilt it` };
}

async function build(
  localTag: string,
  hash: string,
  ctx: HookContext<RebuildOptions>,
  options: RebuildOptions,
): Promise<void> {
  const source = sourceDir(ctx, options);
  const command = buildCommand(options.build ?? DEFAULT_BUILD, {
    localTag,
    source,
    hash,
    label: INPUTS_LABEL,
  });
  ctx.log.info(`building: ${command.join(' ')}`);
  await runBuild(command, {
    cwd: ctx.run.configFile ? path.dirname(ctx.run.configFile) : ctx.run.cwd,
    env: ctx.run.env,
    signal: ctx.signal,
  });
}

async function builtImage(
  request: ResolveRequest,
  ctx: HookContext<RebuildOptions>,
): Promise<ResolvedImage | undefined> {
  const image = await ctx.engine.inspectImage(request.localTag);
  if (!image) {
    ctx.note(`the build finished but the engine has no ${request.localTag}: does the build command tag it?`);
    return undefined;
  }
  ctx.note(`built ${request.localTag} from its sources`, { reference: request.localTag });
  return {
    reference: request.localTag,
    id: image.id,
    platform: image.platform,
    source: `a build of ${sourceDir(ctx, ctx.options)}`,
    labels: image.labels,
  };
}
