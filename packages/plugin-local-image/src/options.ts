import { z } from '@stigmer/core/options';

/** The options of `@stigmer/plugin-local-image`, strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  /**
   * Accept a local image whose platform differs from the requested one.
   * Default `false`: an image of another architecture is treated as missing,
   * because running it would fail or crawl under emulation.
   */
  allowOtherPlatform: z.boolean().default(false),
});

/** Options of `@stigmer/plugin-local-image`, as the plugin gets them. */
export type LocalImageOptions = z.output<typeof optionsSchema>;
/** The options as written in config. */
export type LocalImageOptionsInput = z.input<typeof optionsSchema>;
