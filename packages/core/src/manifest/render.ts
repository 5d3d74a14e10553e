import { parseReference } from '../engine/reference.js';
import type { ContainerSpec, ImageInfo } from '../engine/types.js';
import { ConfigError, isStigmerError, ManifestError } from '../errors.js';
import type { ResolvedImage } from '../image/types.js';
import type { LifecycleOptions } from '../lifecycle/context.js';
import { LABELS } from '../lifecycle/labels.js';
import { effectiveSpec } from '../lifecycle/spec.js';
import { resolveImage } from '../pipeline/resolve.js';
import { requestFor, type Session } from '../session.js';
import type { ManifestImage, ManifestRequest, RenderedManifest } from './types.js';

/** Options of `renderManifest`. */
export interface ManifestOptions extends LifecycleOptions {
  /** `--format`: which renderer answers. */
  format: string;
  /** How many copies, and where the number came from (`--replicas`...). */
  replicas: { value: number; source: string };
  /** `--image`: the reference a cluster pulls, instead of the resolved image's registry digest. */
  image?: string | undefined;
  /** `--include-secrets`: renderers may put secret values in the output. */
  includeSecrets: boolean;
}

/** What `renderManifest` produced. */
export interface ManifestOutcome extends RenderedManifest {
  format: string;
  /** The plugin that rendered it. */
  renderer: string;
  image: ManifestImage;
  replicas: number;
  /** The fingerprint hash `server start` would record for this spec. */
  specHash: string;
}

/**
 * `stigmer server manifest`: resolves the image through the chain, builds
 * the spec exactly as `server start` would (`containerSpec` and core's
 * labels; `beforeStart` does not run, since nothing starts here), and asks
 * the `renderManifest` hook for the format. Creates nothing and takes no
 * lock: the engine is only read.
 */
export async function renderManifest(session: Session, options: ManifestOptions): Promise<ManifestOutcome> {
  const { pipeline, engine } = session;
  const override = options.image === undefined ? undefined : checkedOverride(options.image);
  await engine.connect();
  const resolved = await resolveImage(pipeline, requestFor(session, 'resolve'));
  options.onEvent?.({ type: 'resolved', image: resolved });
  const [info, { spec, specHash }] = await Promise.all([
    engine.inspectImage(resolved.reference),
    effectiveSpec(
      session,
      { containerName: session.settings.server.containerName, dataDir: session.dataDir },
      resolved,
      options,
    ),
  ]);
  const image = manifestImage(resolved, info, override);
  const request: ManifestRequest = {
    format: options.format,
    spec: withoutEngineLabels(spec),
    image,
    replicas: options.replicas.value,
    replicasSource: options.replicas.source,
    includeSecrets: options.includeSecrets,
  };
  const rendered = pipeline.isTapped('renderManifest')
    ? ((await pipeline.call('renderManifest', request)) as RenderedManifest | undefined)
    : undefined;
  if (!rendered) throw unknownFormat(session, options.format);
  const renderer = pipeline.trace.findLast((e) => e.hook === 'renderManifest');
  return {
    format: options.format,
    renderer: renderer?.plugin ?? 'unknown',
    image,
    replicas: options.replicas.value,
    specHash,
    documents: rendered.documents,
    notes: rendered.notes,
    ...(rendered.combined ? { combined: rendered.combined } : {}),
  };
}

/**
 * Core's labels that describe the container on this engine: this machine's
 * data folder, the image as this engine names it, the recorded spec (host
 * paths included). On a cluster they would be wrong (an `--image` is
 * another image) or leak this machine's layout; the owner labels, the CLI
 * version and the spec hash stay.
 */
const ENGINE_LABELS: readonly string[] = [
  LABELS.dataDir,
  LABELS.imageReference,
  LABELS.imageId,
  LABELS.imageDigest,
  LABELS.spec,
];

function withoutEngineLabels(spec: ContainerSpec): ContainerSpec {
  const labels = Object.fromEntries(
    Object.entries(spec.labels).filter(([key]) => !ENGINE_LABELS.includes(key)),
  );
  return { ...spec, labels };
}

/** `--image` must be a reference a registry could serve; an image id is not. */
function checkedOverride(text: string): string {
  try {
    parseReference(text);
  } catch (error) {
    if (!isStigmerError(error)) throw error;
    throw new ConfigError(error.code, `--image: ${error.message}`, { details: { image: text } });
  }
  return text;
}

/**
 * The image as a renderer needs it. Pullable by order of preference: `--image`;
 * the chain's registry digest (`repo@sha256:...`, when it pulled); one of the
 * engine's `RepoDigests` (pulled or pushed earlier). None: only this engine has it.
 */
function manifestImage(resolved: ResolvedImage, info: ImageInfo | undefined, override: string | undefined) {
  const chainDigest = resolved.digest?.includes('@') ? resolved.digest : undefined;
  const engineDigest = info?.repoDigests[0];
  const [pullable, pullableSource] = override
    ? [override, '--image']
    : chainDigest
      ? [chainDigest, 'the registry digest of the resolved image']
      : engineDigest
        ? [engineDigest, "the engine's RepoDigests of the resolved image"]
        : [undefined, undefined];
  return {
    reference: resolved.reference,
    id: resolved.id,
    pullable,
    pullableSource,
    source: resolved.source,
    platform: resolved.platform ?? info?.platform,
    healthcheck: info?.healthcheck,
  } satisfies ManifestImage;
}

function unknownFormat(session: Session, format: string): ManifestError {
  const { pipeline } = session;
  const renderers = pipeline.plugins
    .map((p) => p.plugin.name)
    .filter((name) => pipeline.tapsOf(name).includes('renderManifest'));
  return new ManifestError(
    'MANIFEST_FORMAT_UNKNOWN',
    renderers.length === 0
      ? `No plugin renders manifests, so there is no "${format}" format. The kubernetes format comes with stigmer (the kubernetes plugin); add a plugin that renders "${format}" to "plugins" in your stigmer config.`
      : `No plugin renders the "${format}" format (asked: ${renderers.join(', ')}). stigmer's own is "kubernetes"; another format needs a plugin that renders it, listed in "plugins" in your stigmer config.`,
    { details: { format, renderers } },
  );
}
