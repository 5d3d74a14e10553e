/**
 * Names the global setup publishes and the tests refer to. Plain constants
 * (no imports) so that test workers can read them without starting anything.
 */

/** The image built locally and kept in the engine for the whole run. */
export const TEST_IMAGE = { repository: 'stigmer-harness/agent-runner', tag: '0.1.0' } as const;

/** Labels of the test image; the version label is what stigmer reads. */
export const TEST_IMAGE_LABELS = { 'org.opencontainers.image.version': '0.1.0' } as const;

/** Pushed to both registries with these tags; public on the token registry. */
export const PUBLIC_REPOSITORY = 'stigmer/agent-runner';
export const PUBLIC_TAGS = ['0.1.0', 'latest'] as const;

/** Pushed to the token registry only; pullable by `reader` and `pusher`. */
export const PRIVATE_REPOSITORY = 'stigmer/private-runner';
export const PRIVATE_TAG = '0.1.0';

/** The token registry's service (token `aud`) and the token issuer. */
export const TOKEN_SERVICE = 'stigmer-harness-registry';
export const TOKEN_ISSUER = 'stigmer-harness-token-server';
