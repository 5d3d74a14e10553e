import type { SettingsInFile } from './declarations.js';

/** A plugin entry in config: `"name"` or `["name", { options }]`. */
export type PluginEntry = string | [string] | [string, Record<string, unknown>];

/**
 * The shape of a stigmer config file (`.stigmerrc`, `stigmer.config.js`, the
 * `stigmer` key of package.json): every setting declared in
 * `declarations.ts` at its key, and the plugin chain. A type only, so that
 * code which only reads settings never loads the validator; `schema.ts`
 * checks files against exactly this shape.
 */
export type ConfigFile = SettingsInFile & {
  /** A JSON Schema URL for editors; ignored by stigmer. */
  $schema?: string;
  /** The plugin chain, in order. Absent: the embedded default (local-image, ghcr, build-hint, agent-runner). */
  plugins?: PluginEntry[];
};
