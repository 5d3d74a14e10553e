import { z } from '@stigmer/core/options';

const digestPattern = /^sha256:[a-f0-9]{64}$/;

/** The options of `@stigmer/plugin-image-checks`, strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  /**
   * When the image's `org.opencontainers.image.version` label does not match
   * the CLI's version: `warn` (default: accept, and say so), `refuse` (the
   * run fails), `repull` (pull afresh once, then refuse if it still does not
   * match), or `off`.
   */
  version: z.enum(['warn', 'refuse', 'repull', 'off']).default('warn'),
  /**
   * How closely versions must match: `minor` (default: same major and minor,
   * which before 1.0 is semver's own rule), `major` (same major; same minor
   * too before 1.0), or `exact` (same major.minor.patch). Prerelease and
   * build suffixes (`-dev`, `+sha`) are ignored.
   */
  match: z.enum(['exact', 'minor', 'major']).default('minor'),
  /**
   * The image digest to pin (`sha256:<64 hex>`): the registry's manifest
   * digest, or the image id. An image that differs is refused, and a pulled
   * one is untagged so it is not reused.
   */
  digest: z.string().regex(digestPattern, 'expected sha256: followed by 64 lowercase hex digits').optional(),
  /**
   * A JSON lock file holding `{ "digest": "sha256:..." }`, relative to the
   * config file's folder. Default `stigmer.lock.json` there, when it exists.
   * `digest` wins over the lock file.
   */
  lockFile: z.string().min(1, 'expected a file path').optional(),
});

/** The lock file's shape. */
export const lockFileSchema = z.object({
  digest: z.string().regex(digestPattern, 'expected sha256: followed by 64 lowercase hex digits'),
});

/** Options of `@stigmer/plugin-image-checks`, as the plugin gets them. */
export type ImageChecksOptions = z.output<typeof optionsSchema>;
/** The options as written in config. */
export type ImageChecksOptionsInput = z.input<typeof optionsSchema>;
/** What to do with an image whose version label does not match the CLI's version. */
export type VersionPolicy = NonNullable<ImageChecksOptions['version']>;
