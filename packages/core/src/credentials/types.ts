import type { RegistryAuth } from '../engine/types.js';

/** What the credentials hook is asked for. */
export interface CredentialRequest {
  /** Registry host as it appears in references (`ghcr.io`, `127.0.0.1:5000`). */
  readonly registry: string;
  /** Repository path without the host (`stigmer/agent-runner`). */
  readonly repository: string;
}

/** What a credential provider returns. `source` is shown by `--explain`; the secret never is. */
export interface Credential {
  /** Where the secret came from, e.g. `docker config credHelpers (docker-credential-pass)` or `GHCR_TOKEN`. */
  source: string;
  auth: RegistryAuth;
}
