import { z } from '@stigmer/core/options';

/** Options of `@stigmer/plugin-offline`. */
export interface OfflineOptions {
  /**
   * A folder written by `stigmer image export` (`docker save` archives and
   * their `stigmer-images.json` manifest), relative to the config file's
   * folder. In offline mode a missing image is loaded from it through the
   * engine, after its checksum, id and platform are checked. Default: none.
   */
  archives?: string;
}

/** Strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  archives: z.string().min(1, 'expected a folder path').optional(),
});
