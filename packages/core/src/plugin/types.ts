import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { HookName, HookSignatures } from '../hooks.js';
import type { PluginApiVersion } from './api-version.js';
import type { HookContext } from './context.js';
import type { InstalledPackage } from './installed.js';

/** A value or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

/** Where a tap runs relative to others in the same hook. */
export interface TapOptions {
  /**
   * Run before these plugins (by plugin name). Naming a plugin that is not
   * loaded is an error, never a silent reorder.
   */
  before?: string | string[];
  /** Lower stages run first; default 0. Use sparingly: config order is what users expect. */
  stage?: number;
}

/** The function a plugin taps into hook `K`. */
export type TapFn<K extends HookName, Options> = (
  payload: HookSignatures[K]['payload'],
  ctx: HookContext<Options>,
) => Awaitable<HookSignatures[K]['result']>;

/**
 * The hooks as a plugin sees them in `apply`. Every tap is named after the
 * plugin automatically, so errors, timeouts and the trace always say which
 * plugin did what.
 */
export type PluginHooks<Options = unknown> = {
  // `keyof HookSignatures` (not the HookName alias) keeps the mapping homomorphic,
  // so each hook's doc comment in hooks.ts shows on hover in a plugin's editor.
  readonly [K in keyof HookSignatures]: {
    /** Adds `fn` to hook `K`. Sync and async functions are both fine. */
    tap(fn: TapFn<K, Options>, options?: TapOptions): void;
  };
};

/**
 * A validator for plugin options: any Standard Schema (zod 4, valibot,
 * arktype...), or a function that loads one, which keeps the validator
 * library off the start-up path until a config file actually gives options.
 */
export type OptionsSchema<Options> =
  | StandardSchemaV1<unknown, Options>
  | (() => Promise<StandardSchemaV1<unknown, Options>>);

/**
 * A stigmer plugin. Publish it as the default export (or a named `plugin`
 * export) of a package named `stigmer-plugin-<name>` or
 * `@scope/stigmer-plugin-<name>`, or of a local file.
 */
export interface StigmerPlugin<Options = Record<string, unknown>> {
  /**
   * Unique name shown in errors and traces. First-party plugins use
   * `stigmer:<name>`; third parties use their package's short name.
   */
  readonly name: string;
  /** The plugin's own version, shown by `stigmer plugins list`. */
  readonly version: string;
  /**
   * The plugin API it was built for, `major.minor`. `definePlugin` fills it
   * in with the version of the core it comes from; a plain plugin object
   * writes it (`'1.0'`). The host refuses another major, a newer minor than
   * its own, or none.
   */
  readonly apiVersion: PluginApiVersion;
  /**
   * Validates the options given in config as `["name", { ...options }]`.
   * Errors are reported at the plugin's position, e.g. `plugins[1][1].registry`.
   * Without a schema, any options object is accepted as is.
   */
  readonly optionsSchema?: OptionsSchema<Options>;
  /**
   * The options when the config gives none: what `optionsSchema` makes of
   * `{}`. With it, a chain whose config gives this plugin no options never
   * loads the validator (start-up stays quick). First-party plugins generate
   * it from their schema (`scripts/generated.mjs`). Since API 1.1.
   */
  readonly defaultOptions?: Options;
  /**
   * Taps hooks. Called once per run, in config order, with the validated
   * options (`{}` when the config gives none and the chain is the embedded default).
   */
  apply(hooks: PluginHooks<Options>, options: Options): void | Promise<void>;
}

/** A plugin as core loaded it: where it came from and the options it got. */
export interface LoadedPlugin {
  plugin: StigmerPlugin<unknown>;
  options: unknown;
  /** The specifier as written in config (`ghcr`, `./my-plugin.js`). */
  specifier: string;
  /** The module it was loaded from: a file URL, or `builtin:<package>` when bundled with the CLI. */
  loadedFrom: string;
  /** Its position in the plugin list, from 0. */
  index: number;
  /**
   * For a plugin the host bundles, the package installed in node_modules
   * beside the config, when there is one. With the bundled version,
   * `loadedFrom` is `builtin:<package>` (the bundled copy stood in for it);
   * with another version, the installed file.
   */
  installed?: InstalledPackage;
}
