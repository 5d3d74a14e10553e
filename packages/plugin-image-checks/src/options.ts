import { z } from '@stigmer/core/options';

/** What to do with an image whose version label does not match the CLI's version. */
export type VersionPolicy = 'warn' | 'refuse' | 'repull' | 'off';

/** Options of `@stigmer/plugin-image-checks`. Every one has a default. */
export interface ImageChecksOptions {
  /**
   * When the image's `org.opencontainers.image.version` label does not match
   * the CLI's version: `warn` (default: accept, and say so), `refuse` (the
   * run fails), `repull` (pull afresh once, then refuse if it still does not
   * match), or `off`.
   */
  version?: VersionPolicy;
  /**
   * How closely versions must match: `minor` (default: same major and minor,
   * which before 1.0 is semver's own rule), `major` (same major; same minor
   * too before 1.0), or `exact` (same major.minor.patch). Prerelease and
   * build suffixes (`-dev`, `+sha`) are ignored.
   */
  match?: 'exact' | 'minor' | 'major';
  /**
   * The image digest to pin (`sha256:<64 hex>`): the registry's manifest
   * digest, or the image id. An image that differs is refused, and a pulled
   * one is untagged so it is not reused.
   */
  digest?: string;
  /**
   * A JSON lock file holding `{ "digest": "sha256:..." }`, relative to the
   * config file's folder. Default `stigmer.lock.json` there, when it exists.
   * `digest` wins over the lock file.
   */
  lockFile?: string;
}

const digestPattern = /^sha256:[a-f0-9]{64}$/;

/** Strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  version: z.enum(['warn', 'refuse', 'repull', 'off']).optional(),
  match: z.enum(['exact', 'minor', 'major']).optional(),
  digest: z.string().regex(digestPattern, 'expected sha256: followed by 64 lowercase hex digits').optional(),
  lockFile: z.string().min(1, 'expected a file path').optional(),
});

/** The lock file's shape. */
export const lockFileSchema = z.object({
  digest: z.string().regex(digestPattern, 'expected sha256: followed by 64 lowercase hex digits'),
});
