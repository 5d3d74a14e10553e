import type Docker from 'dockerode';

/** A registry user of the harness. */
export interface Credentials {
  username: string;
  password: string;
}

/**
 * The X-Registry-Auth payload for `registry`. Without credentials the engine
 * still wants the header on push (older API versions reject a push without
 * it), so anonymous is an empty object rather than no header.
 */
export function authConfig(registry: string, credentials?: Credentials): Docker.AuthConfig {
  if (!credentials) return {};
  return { username: credentials.username, password: credentials.password, serveraddress: registry };
}
