import type { ContainerSpec } from '../engine/types.js';
import type { ResolvedImage } from '../image/types.js';
import type { Session } from '../session.js';
import type { LifecycleOptions, ServerPlace } from './context.js';
import { fingerprint, fingerprintHash, type SpecFingerprint } from './fingerprint.js';
import { LABELS, ownerLabels } from './labels.js';

/** The spec `server start` runs, its fingerprint and that fingerprint's hash. */
export interface EffectiveSpec {
  /** Core's labels included; secret values included (never print them). */
  spec: ContainerSpec;
  print: SpecFingerprint;
  specHash: string;
}

/**
 * The container spec for `image`: a seed (name, image), the `containerSpec`
 * waterfall, then core's labels. One function for `server start` and
 * `server manifest`, so a manifest renders exactly what start would run.
 * Secret values are added to the pipeline's redactions here, before anything
 * can print them.
 */
export async function effectiveSpec(
  session: Session,
  place: Pick<ServerPlace, 'containerName' | 'dataDir'>,
  image: ResolvedImage,
  options: LifecycleOptions,
): Promise<EffectiveSpec> {
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
  const spec = withCoreLabels(built, image, place.dataDir, session.cliVersion, print, specHash);
  pipeline.addSecrets((spec.secretEnv ?? []).flatMap((key) => spec.env[key] ?? []));
  return { spec, print, specHash };
}

/** Core's labels, added after the waterfall so that no plugin can drop or forge them. */
function withCoreLabels(
  spec: ContainerSpec,
  image: ResolvedImage,
  dataDir: string,
  cliVersion: string,
  print: SpecFingerprint,
  specHash: string,
): ContainerSpec {
  return {
    ...spec,
    secretEnv: [...new Set(spec.secretEnv ?? [])],
    labels: {
      ...spec.labels,
      ...ownerLabels(dataDir),
      [LABELS.cliVersion]: cliVersion,
      [LABELS.imageReference]: image.reference,
      [LABELS.imageId]: image.id,
      [LABELS.imageDigest]: image.digest ?? '',
      [LABELS.specHash]: specHash,
      [LABELS.spec]: JSON.stringify(print),
    },
  };
}
