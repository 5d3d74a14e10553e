import { definePlugin, type StigmerPlugin } from '@stigmer/core';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import type { LocalImageOptions } from './options.js';
import { VERSION } from './package-version.js';

/**
 * Resolves the agent-runner image from the local engine by its canonical
 * local name (`image.localTag`, default `stigmer-agent-runner:local`).
 * Passes when it is missing, of another platform, or when the run asks for a
 * fresh pull (`stigmer image pull`).
 */
export function localImagePlugin(): StigmerPlugin<LocalImageOptions> {
  return definePlugin<LocalImageOptions>({
    name: 'stigmer:local-image',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    defaultOptions: DEFAULT_OPTIONS,
    apply(hooks, options) {
      hooks.resolveImage.tap(async (request, ctx) => {
        const { localTag } = request;
        if (request.purpose === 'pull') {
          ctx.note(`skipped: a pull was asked for, so ${localTag} is not reused`, { reference: localTag });
          return undefined;
        }
        if (request.pullPolicy === 'always' || request.pullPolicy === 'newer') {
          // Registry plugins decide: they pull, or check the registry and answer with this image.
          ctx.note(`skipped: pull policy is ${request.pullPolicy}, so registry plugins decide`, {
            reference: localTag,
          });
          return undefined;
        }
        const image = await ctx.engine.inspectImage(localTag);
        if (!image) {
          ctx.note(`${localTag} is not in the local engine`, { reference: localTag });
          return undefined;
        }
        const wanted = request.platform ?? (await ctx.engine.platform());
        if (!ctx.platformMatches(image.platform, wanted) && !options.allowOtherPlatform) {
          ctx.note(
            `${localTag} is ${image.platform}, not ${wanted}; treated as missing (set allowOtherPlatform to reuse it)`,
            { reference: localTag },
          );
          return undefined;
        }
        ctx.note(`${localTag} found in the local engine`, { reference: localTag });
        return {
          reference: localTag,
          id: image.id,
          digest: image.repoDigests[0],
          platform: image.platform,
          source: 'local engine',
          labels: image.labels,
        };
      });
    },
  });
}
