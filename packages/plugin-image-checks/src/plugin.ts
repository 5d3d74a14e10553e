import {
  definePlugin,
  type HookContext,
  type ImageVerdict,
  type ResolvedImage,
  type StigmerPlugin,
} from '@stigmer/core';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import type { ImageChecksOptions } from './options.js';
import { VERSION } from './package-version.js';
import { digestsOf, pinnedDigest } from './pin.js';
import { VERSION_LABEL, versionMismatch } from './version.js';

/**
 * Checks the image the chain resolved, through the `imageResolved` hook:
 * digest pinning first (a wrong image is never run, whatever its version),
 * then the version label against the CLI's version.
 */
export function imageChecksPlugin(): StigmerPlugin<ImageChecksOptions> {
  return definePlugin<ImageChecksOptions>({
    name: 'stigmer:image-checks',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    defaultOptions: DEFAULT_OPTIONS,
    apply(hooks, options) {
      // Per run: a re-pull is asked for once; a second mismatch is refused.
      let repulled = false;
      hooks.imageResolved.tap(async (image, ctx) => {
        const pin = await checkPin(image, options, ctx);
        if (pin) return pin;
        const verdict = checkVersion(image, options, ctx, repulled);
        if (verdict?.action === 'retry') repulled = true;
        return verdict;
      });
    },
  });
}

async function checkPin(
  image: ResolvedImage,
  options: ImageChecksOptions,
  ctx: HookContext<ImageChecksOptions>,
): Promise<ImageVerdict | undefined> {
  const pin = await pinnedDigest(options, ctx);
  if (!pin) return undefined;
  const info = await ctx.engine.inspectImage(image.reference);
  // Registry digests: the engine's, and those stigmer verified when it fetched the image itself.
  const registryDigests = info ? await ctx.knownDigests(info) : [];
  const known = info ? digestsOf({ ...info, repoDigests: registryDigests }) : [image.id];
  if (known.includes(pin.digest)) {
    ctx.log.info(`digest ${pin.digest.slice(0, 19)} matches the pin from ${pin.source}`);
    return undefined;
  }
  // A pulled image that is not the pinned one must not be reused by the next
  // run; a locally built one (no registry digest) is the user's and stays.
  const pulled = registryDigests.length > 0;
  if (pulled) await ctx.engine.removeImage(image.reference);
  const has = registryDigests[0]?.split('@')[1] ?? image.id;
  return {
    action: 'reject',
    reason: `its digest ${has} is not the pinned ${pin.digest} (from ${pin.source})${pulled ? `; ${image.reference} was untagged` : ''}. Pull the pinned image, or update the pin.`,
  };
}

function checkVersion(
  image: ResolvedImage,
  options: ImageChecksOptions,
  ctx: HookContext<ImageChecksOptions>,
  repulled: boolean,
): ImageVerdict | undefined {
  const policy = options.version;
  if (policy === 'off') return undefined;
  const label = image.labels?.[VERSION_LABEL];
  if (label === undefined) {
    ctx.log.warn(
      `${image.reference} has no ${VERSION_LABEL} label; its compatibility with this CLI is unknown.`,
    );
    return undefined;
  }
  const mismatch = versionMismatch(label, ctx.run.cliVersion, options.match);
  if (!mismatch) {
    ctx.log.info(`version ${label} suits CLI ${ctx.run.cliVersion}`);
    return undefined;
  }
  if (policy === 'warn') {
    ctx.log.warn(`${image.reference} may not suit this CLI: ${mismatch}.`);
    return undefined;
  }
  if (policy === 'repull' && !repulled) {
    return {
      action: 'retry',
      reason: `${mismatch}; pulling afresh`,
      request: { pullPolicy: 'always', purpose: 'pull' },
    };
  }
  return {
    action: 'reject',
    reason: `${mismatch}${repulled ? ', even after a fresh pull' : ''}. Use an image built for this CLI, or set the version check to warn.`,
  };
}
