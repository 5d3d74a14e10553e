import { z } from '@stigmer/core/options';

/** Options of `@stigmer/plugin-local-image`. */
export interface LocalImageOptions {
  /**
   * Accept a local image whose platform differs from the requested one.
   * Default `false`: an image of another architecture is treated as missing,
   * because running it would fail or crawl under emulation.
   */
  allowOtherPlatform?: boolean;
}

/** Strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({ allowOtherPlatform: z.boolean().optional() });
