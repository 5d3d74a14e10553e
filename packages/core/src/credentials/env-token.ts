import type { Credential } from './types.js';

/** The variables that hold a ghcr.io token, most specific first. */
export const GHCR_TOKEN_VARIABLES: readonly string[] = Object.freeze(['GHCR_TOKEN', 'GITHUB_TOKEN']);

/**
 * A token from the first of `variables` that is set, for `registry`, skipping
 * sources in `exclude` (tokens the registry already rejected). ghcr.io
 * takes any user name with a token as the password; `GITHUB_ACTOR` (set in
 * GitHub Actions) is used when present, for registries that check it, else
 * `x-access-token`, GitHub's name for token logins.
 */
export function envTokenCredential(
  env: Readonly<Record<string, string | undefined>>,
  variables: readonly string[],
  registry: string,
  exclude: readonly string[] = [],
): Credential | undefined {
  for (const variable of variables) {
    const token = env[variable]?.trim();
    const source = variable;
    if (!token || exclude.includes(source)) continue;
    return {
      source,
      auth: {
        username: env.GITHUB_ACTOR?.trim() || 'x-access-token',
        password: token,
        serverAddress: registry,
      },
    };
  }
  return undefined;
}
