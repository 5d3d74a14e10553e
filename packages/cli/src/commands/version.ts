import { DockerEngine, loadSettings, type PluginSpec } from '@stigmer/core/host';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { sessionOptions } from '../session.js';
import { VERSION } from '../version.js';

/** The engine's own version, as `docker version` reports it. */
interface EngineVersion {
  host: string;
  source: string;
  version: string;
  apiVersion: string;
  platform: string;
}

/**
 * `stigmer version`: the CLI's version, the image reference its chain would
 * pull, Node's version and the engine's when one answers. A broken config
 * or a missing engine is reported, never fatal: this is what people paste
 * into bug reports.
 */
export async function version(ctx: CommandContext, options: GlobalOptions) {
  const { output } = ctx;
  const pulls = await imageToPull(options, ctx).catch((error: Error) => {
    output.warn(`the image to pull is unknown: ${error.message.split('\n')[0]}`);
    return undefined;
  });
  const engine = await engineVersion(options, ctx).catch((error: Error) => ({
    error: error.message.split('\n')[0],
  }));
  const node = { version: process.version, platform: `${process.platform}/${process.arch}` };
  if (options.json) {
    output.result({
      version: VERSION,
      image: pulls ?? null,
      node,
      engine: 'version' in engine ? engine : null,
      ...('error' in engine ? { engineError: engine.error } : {}),
    });
    return;
  }
  const rows: [string, string][] = [
    ['stigmer', VERSION],
    ['image', pulls ? `${pulls.reference} (pulled by ${pulls.plugin})` : '(no registry plugin in the chain)'],
    ['node', `${node.version} (${node.platform})`],
    [
      'engine',
      'version' in engine
        ? `${engine.version} (API ${engine.apiVersion}, ${engine.platform}) at ${engine.host} (${engine.source})`
        : `not reachable: ${engine.error}`,
    ],
  ];
  for (const [name, value] of rows) output.line(`${name.padEnd(8)}${value}`);
}

/** The reference the first registry plugin of the effective chain would pull. */
async function imageToPull(options: GlobalOptions, ctx: CommandContext) {
  const { settings } = await loadSettings(sessionOptions(options, ctx.output));
  const { defaultTag, ghcrPlugin, registryReference } = await import('@stigmer/plugin-ghcr');
  for (const spec of settings.plugins) {
    const name = pluginName(spec);
    // The plugins' own defaults (from their schemas) under what the config gives.
    if (name === 'ghcr') {
      const options = { ...ghcrPlugin().defaultOptions, ...spec.options } as Parameters<
        typeof registryReference
      >[0];
      return { reference: registryReference(options, VERSION), plugin: spec.specifier };
    }
    if (name === 'registry') {
      const { registryPlugin } = await import('@stigmer/plugin-registry');
      const options = { ...registryPlugin().defaultOptions, ...spec.options };
      const tag = (options.tag as string | undefined) ?? defaultTag(VERSION);
      return { reference: `${options.image}:${tag}`, plugin: spec.specifier };
    }
  }
  return undefined;
}

/** `ghcr` for `ghcr` and `@stigmer/plugin-ghcr`; the first-party registry plugins only. */
function pluginName(spec: PluginSpec): string {
  return spec.specifier.replace(/^@stigmer\/plugin-/, '');
}

async function engineVersion(options: GlobalOptions, ctx: CommandContext): Promise<EngineVersion> {
  const host = await loadSettings(sessionOptions(options, ctx.output)).then(
    ({ settings }) => settings.engine.host,
    () => undefined,
  );
  const engine = new DockerEngine({ env: process.env, ...(host ? { host } : {}) });
  const endpoint = await engine.connect();
  ctx.endpoint = endpoint;
  return { ...endpoint, ...(await engine.version()) };
}
