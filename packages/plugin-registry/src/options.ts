import { z } from '@stigmer/core/options';

/** A rewrite rule: names matching `match` are also looked for at `rewrite`. */
export interface MirrorRule {
  /**
   * A repository name (`ghcr.io/stigmer/agent-runner`), or a prefix ending in
   * `*` (`ghcr.io/stigmer/*`, `ghcr.io/*`).
   */
  match: string;
  /** Where to look instead; a `*` takes what the `*` of `match` matched (`mirror.corp.example/stigmer/*`). */
  rewrite: string;
}

/** Options of `@stigmer/plugin-registry`. */
export interface RegistryOptions {
  /**
   * The canonical image name, without tag: where the image really lives.
   * Default `ghcr.io/stigmer/agent-runner`.
   */
  image?: string;
  /** Tag to pull. Default `v<cli version>` for a release or prerelease build, `latest` for a dev build. */
  tag?: string;
  /** Mirrors, tried in order before the canonical registry; the first rule that matches a name gives one mirror. */
  mirrors?: MirrorRule[];
  /** Try the canonical registry itself after the mirrors. Default true. */
  origin?: boolean;
  /**
   * How long a mirror that answered 429, failed or stalled is left out of
   * later runs (recorded in stigmer's data folder). Default `10m`.
   */
  coolDown?: string;
}

const namePattern = /^[a-zA-Z0-9.-]+(:\d+)?(\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$/;
const rulePattern = /^[a-zA-Z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*(\/\*|\*)?$/;

/** Strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  image: z
    .string()
    .regex(namePattern, 'expected a registry and repository such as ghcr.io/stigmer/agent-runner (no tag)')
    .optional(),
  tag: z
    .string()
    .regex(/^[\w][\w.-]{0,127}$/, 'expected an image tag such as v0.1.0 or latest')
    .optional(),
  mirrors: z
    .array(
      z.strictObject({
        match: z
          .string()
          .regex(rulePattern, 'expected a name or a prefix ending in *, such as ghcr.io/stigmer/*'),
        rewrite: z
          .string()
          .regex(
            rulePattern,
            'expected a name, or a prefix ending in * such as mirror.corp.example/stigmer/*',
          ),
      }),
    )
    .optional(),
  origin: z.boolean().optional(),
  coolDown: z
    .string()
    .regex(/^(\d+(\.\d+)?(ms|s|m|h|d))+$/, 'expected a duration such as 30s, 10m or 1h')
    .optional(),
});
