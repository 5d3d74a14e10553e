import { z } from '@stigmer/core/options';

/** Options of `@stigmer/plugin-rebuild`. */
export interface RebuildOptions {
  /** The agent-runner's source folder (where its Dockerfile is), relative to the config file's folder. */
  source: string;
  /**
   * The build inputs whose content decides whether the image is current,
   * relative to `source`. Default: those of `Dockerfile`, `poetry.lock`,
   * `pyproject.toml`, `requirements.txt`, `uv.lock`, `package-lock.json`
   * that exist.
   */
  inputs?: string[];
  /**
   * The build command, as arguments (run with execa, no shell). `{localTag}`,
   * `{source}`, `{label}` and `{hash}` are replaced. It must stamp the image
   * with `--label {label}={hash}`, which is how the next run knows what it was
   * built from. Default: `docker build -t {localTag} --label {label}={hash} {source}`.
   */
  build?: string[];
  /** Build whenever the image is older than its sources (or missing), without `--build`. Default false. */
  autoBuild?: boolean;
}

/** Strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  source: z.string().min(1, 'expected the agent-runner source folder'),
  inputs: z.array(z.string().min(1)).min(1, 'expected at least one build input').optional(),
  build: z.array(z.string()).min(1, 'expected a command and its arguments').optional(),
  autoBuild: z.boolean().optional(),
});
