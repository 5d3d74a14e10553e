import { type ManifestOutcome, manifestText, renderManifest } from '@stigmer/core/host';
import { type CommandContext, connectEngine } from '../boundary.js';
import { MANIFEST_PLUGINS } from '../builtins.js';
import type { GlobalOptions } from '../options.js';
import { explainBlock, runFacts } from '../output/explain.js';
import { openChainSession } from './chain-session.js';

/** Options of `server manifest`. */
export interface ServerManifestOptions extends GlobalOptions {
  format: string;
  output?: 'yaml' | 'json';
  replicas?: number;
  image?: string;
  includeSecrets?: boolean;
}

/** The plugin whose `replicas` option sets the manifest's when `--replicas` is not given. */
const SWARM_PLUGIN = 'stigmer:swarm';

/**
 * `stigmer server manifest --format kubernetes`: resolves the image and
 * builds the spec as `server start` would, and prints it rendered by the
 * format's plugin: YAML documents (or JSON) on stdout, notes on stderr.
 * With `--json`, one document: the objects, the notes, the image. Nothing is
 * created or applied. Secret values appear only with `--include-secrets`.
 */
export async function serverManifest(ctx: CommandContext, options: ServerManifestOptions) {
  const { output } = ctx;
  const { session, progress } = await openChainSession(ctx, options, { commandPlugins: MANIFEST_PLUGINS });
  const endpoint = await connectEngine(ctx, session);
  let outcome: ManifestOutcome;
  try {
    outcome = await renderManifest(session, {
      signal: ctx.signal,
      format: options.format,
      replicas: replicasFor(options, session.pipeline.plugins),
      image: options.image,
      includeSecrets: Boolean(options.includeSecrets),
      onEvent: (event) => {
        if (event.type === 'resolved') progress.finish();
        if (event.type === 'warning') output.warn(event.message);
      },
    });
  } finally {
    progress.finish();
  }
  const trace = session.pipeline.trace;
  const redact = !options.includeSecrets;
  if (options.json) {
    const { combined: _combined, ...fields } = outcome;
    output.result({ ...fields, ...runFacts(session, endpoint) }, { redact });
    return;
  }
  const text = await manifestText(outcome.documents, options.output ?? 'yaml', outcome.combined);
  if (redact) output.line(text.replace(/\n$/, ''));
  else output.unredacted(text);
  if (!options.quiet) for (const note of outcome.notes) output.error(`note: ${note}`);
  if (options.explain) {
    for (const line of explainBlock(
      { endpoint, configFile: session.configFile, plugins: session.pipeline.plugins },
      trace,
    ))
      output.error(line);
  }
}

/** `--replicas`, else the swarm plugin's `replicas` option when it is configured, else 1. */
function replicasFor(
  options: ServerManifestOptions,
  plugins: readonly { plugin: { name: string }; options: unknown }[],
): { value: number; source: string } {
  if (options.replicas !== undefined) return { value: options.replicas, source: '--replicas' };
  const swarm = plugins.find((p) => p.plugin.name === SWARM_PLUGIN)?.options as
    | { replicas?: unknown }
    | undefined;
  if (typeof swarm?.replicas === 'number' && Number.isInteger(swarm.replicas) && swarm.replicas >= 0)
    return { value: swarm.replicas, source: "the swarm plugin's replicas option" };
  return { value: 1, source: 'default' };
}
