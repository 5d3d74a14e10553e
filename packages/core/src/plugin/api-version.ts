import { ConfigError } from '../errors.js';

/**
 * The plugin API this core provides, `major.minor`. A minor adds to the API
 * (a context helper, a payload field, a plugin field) and keeps everything
 * a plugin written for an earlier minor relies on; a major may take things
 * away. `definePlugin` stamps it on every plugin it makes, so a plugin
 * carries the version of the core it was built with. See docs/plugins.md.
 */
export const PLUGIN_API_VERSION: PluginApiVersion = '1.2';

/** A plugin API version: `major.minor`. */
export type PluginApiVersion = `${number}.${number}`;

const VERSION = /^(\d+)\.(\d+)$/;

/** Where a plugin came from, for the message. */
export interface PluginOrigin {
  /** As written in config (`ghcr`, `./my-plugin.js`), or the plugin's name. */
  specifier: string;
  /** Its position in `plugins`, when it came from a config. */
  index?: number | undefined;
  /** The module it was loaded from. */
  loadedFrom: string;
}

/**
 * Checks that a plugin was built for an API this core provides: the same
 * major, and a minor no newer than this core's. Anything else, or no
 * version at all, is `PLUGIN_INVALID` naming the plugin, its API version and
 * this core's, and what to do.
 */
export function checkApiVersion(
  plugin: { name: string; apiVersion?: unknown },
  origin: PluginOrigin,
  host: string = PLUGIN_API_VERSION,
): void {
  const [, hostMajor, hostMinor] = VERSION.exec(host) as RegExpExecArray;
  const declared = plugin.apiVersion;
  const parsed = typeof declared === 'string' ? VERSION.exec(declared) : null;
  const where = `${origin.specifier}${origin.index === undefined ? '' : ` at plugins[${origin.index}]`}, ${origin.loadedFrom}`;
  const details = {
    plugin: plugin.name,
    specifier: origin.specifier,
    ...(origin.index === undefined ? {} : { index: origin.index }),
    apiVersion: declared === undefined ? null : String(declared),
    hostApiVersion: host,
  };
  if (!parsed) {
    const what =
      declared === undefined
        ? 'declares no plugin API version'
        : `declares the plugin API version ${JSON.stringify(declared)}, which is not major.minor`;
    throw new ConfigError(
      'PLUGIN_INVALID',
      `Plugin "${plugin.name}" (${where}) ${what}; this stigmer provides plugin API ${host}. A plugin made with definePlugin from @stigmer/core carries the version of the core it was built with; a plain plugin object declares it as apiVersion: '${host}'. Install a version of the plugin built for API ${hostMajor}.x.`,
      { plugin: plugin.name, details },
    );
  }
  const [, major, minor] = parsed;
  if (major === hostMajor && Number(minor) <= Number(hostMinor)) return;
  const advice =
    major === hostMajor
      ? `It needs a newer stigmer (one that provides API ${major}.${minor} or later ${major}.x), or an older version of the plugin.`
      : `Install a version of the plugin built for API ${hostMajor}.x, or a stigmer that provides API ${major}.x.`;
  throw new ConfigError(
    'PLUGIN_INVALID',
    `Plugin "${plugin.name}" (${where}) was built for plugin API ${declared}; this stigmer provides plugin API ${host}. ${advice}`,
    { plugin: plugin.name, details },
  );
}
