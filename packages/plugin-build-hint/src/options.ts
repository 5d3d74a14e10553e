import { z } from '@stigmer/core/options';

/** The options of `@stigmer/plugin-build-hint`, strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  /**
   * Commands shown under "To fix this, build the image locally:". `{localTag}`
   * is replaced by the configured local image name. Default
   * `["make build-agent-runner-image"]` (with `AGENT_RUNNER_IMAGE=<local tag>`
   * when `image.localTag` is not the Makefile's `stigmer-agent-runner:local`).
   * When the rebuild plugin is loaded, `stigmer server start --build` comes
   * first. An empty list drops the section.
   */
  build: z.array(z.string()).optional(),
  /**
   * Commands shown under "Or if you have the repository:". `{localTag}` is
   * replaced by the configured local image name. Default: the original's
   * `cd backend/services/agent-runner` and `docker build ...`. Empty drops it.
   */
  fromRepository: z.array(z.string()).optional(),
});

/** Options of `@stigmer/plugin-build-hint`, as the plugin gets them. */
export type BuildHintOptions = z.output<typeof optionsSchema>;
/** The options as written in config. */
export type BuildHintOptionsInput = z.input<typeof optionsSchema>;
