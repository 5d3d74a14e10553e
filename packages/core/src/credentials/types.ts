import type { RegistryAuth } from '../engine/types.js';

/** What the credentials hook is asked for. */
export interface CredentialRequest {
  /** Registry host as it appears in references (`ghcr.io`, `127.0.0.1:5000`). */
  readonly registry: string;
  /** Repository path without the host (`stigmer/agent-runner`). */
  readonly repository: string;
  /**
   * `source`s of credentials the registry already rejected in this run. A
   * provider skips them and answers with its next source, if it has one;
   * core passes over an answer from an excluded source in any case.
   */
  readonly exclude?: readonly string[];
}

/** What a credential provider returns. `source` is shown by `--explain`; the secret never is. */
export interface Credential {
  /** Where the secret came from, e.g. `docker config credHelpers (docker-credential-pass)` or `GHCR_TOKEN`. */
  source: string;
  auth: RegistryAuth;
}
