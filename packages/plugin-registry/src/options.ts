import { duration, z } from '@stigmer/core/options';

const namePattern = /^[a-zA-Z0-9.-]+(:\d+)?(\/[a-z0-9]+(?:[._-][a-z0-9]+)*)+$/;
const rulePattern = /^[a-zA-Z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*(\/\*|\*)?$/;

/** A rewrite rule: names matching `match` are also looked for at `rewrite`. */
const mirrorRule = z.strictObject({
  /**
   * A repository name (`ghcr.io/stigmer/agent-runner`), or a prefix ending in
   * `*` (`ghcr.io/stigmer/*`, `ghcr.io/*`).
   */
  match: z.string().regex(rulePattern, 'expected a name or a prefix ending in *, such as ghcr.io/stigmer/*'),
  /** Where to look instead; a `*` takes what the `*` of `match` matched (`mirror.corp.example/stigmer/*`). */
  rewrite: z
    .string()
    .regex(rulePattern, 'expected a name, or a prefix ending in * such as mirror.corp.example/stigmer/*'),
});

/** The options of `@stigmer/plugin-registry`, strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  /**
   * The canonical image name, without tag: where the image really lives.
   * Default `ghcr.io/stigmer/agent-runner`.
   */
  image: z
    .string()
    .regex(namePattern, 'expected a registry and repository such as ghcr.io/stigmer/agent-runner (no tag)')
    .default('ghcr.io/stigmer/agent-runner'),
  /** Tag to pull. Default `v<cli version>` for a release or prerelease build, `latest` for a dev build. */
  tag: z
    .string()
    .regex(/^[\w][\w.-]{0,127}$/, 'expected an image tag such as v0.1.0 or latest')
    .optional(),
  /** Mirrors, tried in order before the canonical registry; the first rule that matches a name gives one mirror. */
  mirrors: z.array(mirrorRule).default([]),
  /** Try the canonical registry itself after the mirrors. Default true. */
  origin: z.boolean().default(true),
  /**
   * How long a mirror that answered 429, failed or stalled is left out of
   * later runs (recorded in stigmer's data folder), as `10m`, `1h`...; the
   * plugin gets milliseconds. Default `10m`.
   */
  coolDown: duration().default(10 * 60_000),
});

/** A rewrite rule of the `mirrors` option. */
export type MirrorRule = z.output<typeof mirrorRule>;
/** The options of `@stigmer/plugin-registry` as the plugin gets them (durations in ms). */
export type RegistryOptions = z.output<typeof optionsSchema>;
/** The options as written in config. */
export type RegistryOptionsInput = z.input<typeof optionsSchema>;
