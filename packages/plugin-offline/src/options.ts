import { z } from '@stigmer/core/options';

/** The options of `@stigmer/plugin-offline`, strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  /**
   * A folder written by `stigmer image export` (`docker save` archives and
   * their `stigmer-images.json` manifest), relative to the config file's
   * folder. In offline mode a missing image is loaded from it through the
   * engine, after its checksum, id and platform are checked. Default: none.
   */
  archives: z.string().min(1, 'expected a folder path').optional(),
});

/** Options of `@stigmer/plugin-offline`, as the plugin gets them. */
export type OfflineOptions = z.output<typeof optionsSchema>;
/** The options as written in config. */
export type OfflineOptionsInput = z.input<typeof optionsSchema>;
