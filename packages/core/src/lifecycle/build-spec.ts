import type { ContainerSpec } from '../engine/types.js';
import type { ResolvedImage } from '../image/types.js';
import type { Session } from '../session.js';
import type { LifecycleOptions, ServerPlace } from './context.js';
import { fingerprint, fingerprintHash, type SpecFingerprint } from './fingerprint.js';
import { LABELS, ownerLabels } from './labels.js';

/** The spec a start runs, for every runtime. */
export interface BuiltSpec {
  /** With core's labels; values of `secretEnv` keys included (never print them). */
  spec: ContainerSpec;
  print: SpecFingerprint;
  specHash: string;
}

/**
 * Builds the spec through the `containerSpec` waterfall (from core's seed:
 * the configured name and the resolved image), records its fingerprint and
 * adds core's labels; the secret values are redacted from everything the run
 * prints from here on, errors included.
 */
export async function buildSpec(
  session: Session,
  place: ServerPlace,
  image: ResolvedImage,
  options: LifecycleOptions,
): Promise<BuiltSpec> {
  const { pipeline } = session;
  const seed: ContainerSpec = {
    name: place.containerName,
    image: image.reference,
    env: {},
    labels: {},
    mounts: [],
  };
  if (!pipeline.isTapped('containerSpec')) {
    // Legal (a bare image), but most likely a config that lists plugins without agent-runner.
    options.onEvent?.({
      type: 'warning',
      message: `no plugin contributes to the container spec, so ${seed.name} gets no environment, mounts or restart policy; add "agent-runner" to "plugins" in your stigmer config`,
    });
  }
  const built = ((await pipeline.call('containerSpec', seed)) as ContainerSpec | undefined) ?? seed;
  const print = fingerprint(built, image.id);
  const specHash = fingerprintHash(print);
  const spec = withCoreLabels(built, image, place, session.cliVersion, print, specHash);
  pipeline.addSecrets((spec.secretEnv ?? []).flatMap((key) => spec.env[key] ?? []));
  return { spec, print, specHash };
}

/** Core's labels, added after the waterfall so that no plugin can drop or forge them. */
function withCoreLabels(
  spec: ContainerSpec,
  image: ResolvedImage,
  place: ServerPlace,
  cliVersion: string,
  print: SpecFingerprint,
  specHash: string,
): ContainerSpec {
  return {
    ...spec,
    secretEnv: [...new Set(spec.secretEnv ?? [])],
    labels: {
      ...spec.labels,
      ...ownerLabels(place.dataDir),
      [LABELS.cliVersion]: cliVersion,
      [LABELS.imageReference]: image.reference,
      [LABELS.imageId]: image.id,
      [LABELS.imageDigest]: image.digest ?? '',
      [LABELS.specHash]: specHash,
      [LABELS.spec]: JSON.stringify(print),
    },
  };
}
