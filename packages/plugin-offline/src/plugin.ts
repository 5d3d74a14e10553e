import path from 'node:path';
import {
  definePlugin,
  type HookContext,
  type ResolvedImage,
  type ResolveRequest,
  type StigmerPlugin,
  type UnresolvedReport,
} from '@stigmer/core';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import type { OfflineOptions } from './options.js';
import { VERSION } from './package-version.js';

/**
 * Offline mode (`--offline`, `offline: true` or STIGMER_OFFLINE): resolves
 * the image from the local engine, else from the archive folder (loaded
 * through the engine and checked against its manifest), and never touches the
 * network. Registry plugins see `request.offline` and pass. When the image
 * is nowhere, says what is missing and how to export it. Online, it passes.
 */
export function offlinePlugin(): StigmerPlugin<OfflineOptions> {
  return definePlugin<OfflineOptions>({
    name: 'stigmer:offline',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    defaultOptions: DEFAULT_OPTIONS,
    apply(hooks, options) {
      hooks.resolveImage.tap((request, ctx) => resolveOffline(request, ctx, options));
      hooks.unresolved.tap((report, ctx) =>
        report.request.offline ? missingHint(report, ctx, options) : undefined,
      );
    },
  });
}

/** The archive folder, resolved from the config file's folder. */
function archiveDir(ctx: HookContext<OfflineOptions>, options: OfflineOptions): string | undefined {
  if (!options.archives) return undefined;
  return path.resolve(ctx.run.configFile ? path.dirname(ctx.run.configFile) : ctx.run.cwd, options.archives);
}

async function resolveOffline(
  request: ResolveRequest,
  ctx: HookContext<OfflineOptions>,
  options: OfflineOptions,
): Promise<ResolvedImage | undefined> {
  const { localTag } = request;
  if (!request.offline) {
    ctx.note('online: nothing to do (offline mode is off)');
    return undefined;
  }
  const wanted = request.platform ?? (await ctx.engine.platform());
  const local = await ctx.engine.inspectImage(localTag);
  if (local && ctx.platformMatches(local.platform, wanted)) {
    ctx.note(`offline: ${localTag} found in the local engine`, { reference: localTag });
    return {
      reference: localTag,
      id: local.id,
      digest: local.repoDigests[0],
      platform: local.platform,
      source: 'local engine (offline)',
      labels: local.labels,
    };
  }
  const why = local
    ? `${localTag} in the local engine is ${local.platform}, not ${wanted}`
    : `${localTag} is not in the local engine`;
  const dir = archiveDir(ctx, options);
  if (!dir) {
    ctx.note(`offline: ${why}, and no archive folder is configured`, { reference: localTag });
    return undefined;
  }
  const imported = await ctx.importArchive(dir, localTag, { platform: wanted });
  if (!imported) {
    ctx.note(`offline: ${why}, and ${dir} holds no archive of it`, { reference: localTag });
    return undefined;
  }
  ctx.note(`offline: loaded ${localTag} from ${imported.file} (checksum, id and platform checked)`, {
    reference: localTag,
  });
  const loaded = await ctx.engine.inspectImage(localTag);
  return {
    reference: localTag,
    id: imported.id,
    platform: imported.platform,
    source: `archive ${imported.file}`,
    labels: loaded?.labels,
  };
}

function missingHint(
  report: UnresolvedReport,
  ctx: HookContext<OfflineOptions>,
  options: OfflineOptions,
): string {
  const { localTag, platform } = report.request;
  const dir = archiveDir(ctx, options);
  const folder = dir ?? 'DIR';
  const config = ctx.run.configFile ? ` --config ${ctx.run.configFile}` : '';
  ctx.note('listed the missing image and how to export it');
  return [
    'Offline mode: the agent-runner image is not in the local engine, and no registry was asked (nothing may touch the network).',
    '',
    'Missing:',
    `  - ${localTag}${platform ? ` (${platform})` : ''}`,
    '',
    'Tried:',
    ...report.attempts.map((a) => `  - ${a.plugin}: ${a.reason ?? a.outcome}`),
    '',
    'On a machine with network access and the same config, export it:',
    `  stigmer image export ${folder}${config}`,
    `Then copy ${folder} here and load it with \`stigmer image import ${folder}\`${dir ? ', or just run again: the offline plugin loads it from there' : `, or set the offline plugin's "archives" option to it`}.`,
  ].join('\n');
}
