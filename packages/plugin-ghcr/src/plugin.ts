import {
  definePlugin,
  type HookContext,
  InterruptedError,
  type ResolveRequest,
  type StigmerPlugin,
} from '@stigmer/core';
import type { GhcrOptions } from './options.js';
import { registryReference } from './reference.js';

const VERSION = '0.1.0';

/**
 * Pulls the agent-runner image from ghcr.io (or the configured registry) and
 * tags it with the canonical local name, only once the pull succeeded and the
 * engine shows the image. A failed pull passes to the next plugin, recording
 * the reference and the engine's error for it.
 */
export function ghcrPlugin(): StigmerPlugin<GhcrOptions> {
  return definePlugin<GhcrOptions>({
    name: 'stigmer:ghcr',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    apply(hooks, options) {
      hooks.resolveImage.tap((request, ctx) => pullAndTag(request, ctx, options));
    },
  });
}

async function pullAndTag(request: ResolveRequest, ctx: HookContext<GhcrOptions>, options: GhcrOptions) {
  const reference = registryReference(options, request.cliVersion);
  if (request.offline || request.pullPolicy === 'never') {
    ctx.note(`not pulling ${reference}: ${request.offline ? 'offline mode' : 'pull policy is never'}`, {
      reference,
    });
    return undefined;
  }
  const [registry, ...path] = reference.slice(0, reference.lastIndexOf(':')).split('/');
  const credential = await ctx.credentials(registry as string, path.join('/'));
  try {
    await ctx.engine.pull(reference, {
      platform: request.platform,
      auth: credential?.auth,
      signal: ctx.signal,
      onEvent: (event) => ctx.progress(reference, event),
    });
  } catch (error) {
    if (error instanceof InterruptedError || ctx.signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    ctx.note(`pull of ${reference} failed`, { reference, error: message });
    return undefined;
  }
  const image = await ctx.engine.inspectImage(reference);
  if (!image) {
    ctx.note(`pull of ${reference} reported success but the engine does not have it`, {
      reference,
      error: 'image missing after pull',
    });
    return undefined;
  }
  let runAs = request.localTag;
  try {
    await ctx.engine.tag(reference, request.localTag);
  } catch (error) {
    // As in the original CLI, a failed tag is not fatal: the pulled name still runs.
    ctx.log.warn(`Failed to tag ${reference} as ${request.localTag}: ${(error as Error).message}`);
    runAs = reference;
  }
  ctx.note(`pulled ${reference}${runAs === reference ? '' : ` and tagged it ${runAs}`}`, { reference });
  return {
    reference: runAs,
    id: image.id,
    digest: image.repoDigests.find((d) => d.startsWith(`${reference.slice(0, reference.lastIndexOf(':'))}@`)),
    platform: image.platform,
    source: `pulled from ${reference}`,
    labels: image.labels,
  };
}
