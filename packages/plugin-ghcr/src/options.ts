import { z } from '@stigmer/core/options';

const hostPattern = /^[a-zA-Z0-9.-]+(:\d+)?$/;
const repositoryPattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;

/** The options of `@stigmer/plugin-ghcr`, strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  /** Registry host, with port if any. Default `ghcr.io`; a loopback registry can stand in. */
  registry: z
    .string()
    .regex(hostPattern, 'expected a registry host such as ghcr.io or 127.0.0.1:5000')
    .default('ghcr.io'),
  /** Repository path in the registry. Default `stigmer/agent-runner`. */
  repository: z
    .string()
    .regex(repositoryPattern, 'expected a repository path such as stigmer/agent-runner')
    .default('stigmer/agent-runner'),
  /**
   * Tag to pull. Default: `v<cli version>` for a release or prerelease
   * build (the tag the release workflow pushes, e.g. `v1.3.0-rc.1`), `latest`
   * for a dev build.
   */
  tag: z.string().regex(tagPattern, 'expected an image tag such as v0.1.0 or latest').optional(),
  /**
   * Hosts besides ghcr.io that may receive the GitHub token (`GHCR_TOKEN`,
   * else `GITHUB_TOKEN`), e.g. a GitHub Enterprise registry. Default none: a
   * GitHub token goes to ghcr.io only, never to a mirror or another registry
   * (which get their own credentials from the docker config).
   */
  githubTokenHosts: z
    .array(
      z.string().regex(hostPattern, 'expected a registry host such as ghcr.example.com or 127.0.0.1:5000'),
    )
    .default([]),
});

/** Options of `@stigmer/plugin-ghcr`, as the plugin gets them. Every one has a default, so none is required. */
export type GhcrOptions = z.output<typeof optionsSchema>;
/** The options as written in config. */
export type GhcrOptionsInput = z.input<typeof optionsSchema>;
