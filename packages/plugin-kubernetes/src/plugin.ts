import { definePlugin, ManifestError, type ManifestRequest, type StigmerPlugin } from '@stigmer/core';
import { renderObjects } from './objects.js';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import type { KubernetesOptions } from './options.js';
import { VERSION } from './package-version.js';
import { validateObjects } from './validate.js';

/** The format this plugin renders: `stigmer server manifest --format kubernetes`. */
export const FORMAT = 'kubernetes';

/**
 * Renders the agent-runner for Kubernetes through the `renderManifest` hook:
 * a Deployment of the spec `server start` would run (replicas, the image by
 * digest, environment, probes from the image's HEALTHCHECK, resources,
 * labels) and, with `--include-secrets`, a Secret holding the API keys
 * (without it, the Deployment references the Secret by name and a note says
 * how to create it). Every object is checked against the Kubernetes schemas
 * before it is returned. Rendered, not applied: nothing talks to a cluster.
 */
export function kubernetesPlugin(): StigmerPlugin<KubernetesOptions> {
  return definePlugin<KubernetesOptions>({
    name: 'stigmer:kubernetes',
    version: VERSION,
    optionsSchema: () => import('./options.js').then((m) => m.optionsSchema),
    defaultOptions: DEFAULT_OPTIONS,
    apply(hooks, options) {
      hooks.renderManifest.tap(async (request, ctx) => {
        if (request.format !== FORMAT) return undefined;
        const image = pullableImage(request);
        const { objects, notes } = renderObjects(request, options, image);
        await validateObjects(objects);
        ctx.note(
          `rendered ${objects.map((o) => o.kind).join(' and ')} for ${image}, ${request.replicas} replica(s) (${request.replicasSource}); checked against the Kubernetes schemas`,
          { reference: image },
        );
        return { documents: objects, notes, combined: { apiVersion: 'v1', kind: 'List', items: objects } };
      });
    },
  });
}

/**
 * The image a cluster's nodes can pull: a registry reference, by digest when
 * one is known. An image only this engine has cannot run on a cluster, and
 * rendering it anyway would give pods stuck in ErrImagePull.
 */
function pullableImage(request: ManifestRequest): string {
  const { image } = request;
  if (image.pullable) return image.pullable;
  const short = image.id.replace(/^sha256:/, '').slice(0, 12);
  throw new ManifestError(
    'MANIFEST_IMAGE_LOCAL',
    [
      `The image ${image.reference} (${short}, from ${image.source}) exists only in this Docker engine: it was built or imported here and never pushed, so a cluster's nodes cannot pull it.`,
      'Push it to a registry the cluster can reach, then render again (stigmer then uses the digest the push recorded):',
      `  docker tag ${image.reference} REGISTRY/agent-runner:TAG && docker push REGISTRY/agent-runner:TAG`,
      'or name an image the cluster can pull, best by digest: --image REGISTRY/agent-runner@sha256:...',
    ].join('\n'),
    { details: { reference: image.reference, id: image.id, source: image.source } },
  );
}
