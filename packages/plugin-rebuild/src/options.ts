import { z } from '@stigmer/core/options';

/** The options of `@stigmer/plugin-rebuild`, strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  /** The agent-runner's source folder (where its Dockerfile is), relative to the config file's folder. */
  source: z.string().min(1, 'expected the agent-runner source folder'),
  /**
   * The build inputs whose content decides whether the image is current,
   * relative to `source`. Default: those of `Dockerfile`, `poetry.lock`,
   * `pyproject.toml`, `requirements.txt`, `uv.lock`, `package-lock.json`
   * that exist.
   */
  inputs: z.array(z.string().min(1)).min(1, 'expected at least one build input').optional(),
  /**
   * The build command, as arguments (run with execa, no shell). `{localTag}`,
   * `{source}`, `{label}` and `{hash}` are replaced. It must stamp the image
   * with `--label {label}={hash}`, which is how the next run knows what it was
   * built from. Default: `docker build -t {localTag} --label {label}={hash} {source}`.
   */
  build: z.array(z.string()).min(1, 'expected a command and its arguments').optional(),
  /** Build whenever the image is older than its sources (or missing), without `--build`. Default false. */
  autoBuild: z.boolean().optional(),
});

/** Options of `@stigmer/plugin-rebuild`, as the plugin gets them. */
export type RebuildOptions = z.output<typeof optionsSchema>;
/** The options as written in config. */
export type RebuildOptionsInput = z.input<typeof optionsSchema>;
