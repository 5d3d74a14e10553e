import { z } from '@stigmer/core/options';

/** Options of `@stigmer/plugin-build-hint`. */
export interface BuildHintOptions {
  /**
   * Commands shown under "To fix this, build the image locally:".
   * Default `["make build-agent-runner-image"]`. An empty list drops the section.
   */
  build?: string[];
  /**
   * Commands shown under "Or if you have the repository:". `{localTag}` is
   * replaced by the configured local image name. Default: the original's
   * `cd backend/services/agent-runner` and `docker build ...`. Empty drops it.
   */
  fromRepository?: string[];
}

/** Strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  build: z.array(z.string()).optional(),
  fromRepository: z.array(z.string()).optional(),
});
