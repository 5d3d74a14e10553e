import { type HookContext, ImageError, type ImageInfo, type ResolvedImage, ServerError } from '@stigmer/core';
import type { SwarmOptions } from './options.js';

/** The image every node pulls: a registry reference pinned by digest, and the registry it lives in. */
export interface PinnedImage {
  /** `registry/repository@sha256:...`. */
  reference: string;
  /** `registry`, for the credentials the nodes pull with. */
  registry: string;
  repository: string;
  /** True when stigmer pushed it on this run. */
  pushed: boolean;
}

/**
 * Pins the resolved image for the swarm. A local tag exists on this engine
 * only, so the service names the image by a registry digest: one the image
 * is known by (pulled from a registry, or pushed before), preferring the
 * configured `registry`; else the image exists only here (built,
 * imported), and it is pushed to `registry` with the credentials chain's
 * answer, and pinned by the digest the registry stored. Neither possible is
 * `IMAGE_REJECTED`, saying what to configure.
 */
export async function pinImage(
  image: ResolvedImage,
  info: ImageInfo,
  options: SwarmOptions,
  ctx: HookContext<SwarmOptions>,
): Promise<PinnedImage> {
  const known = (await ctx.knownDigests(info)).filter((d) => d.includes('@sha256:'));
  const preferred = (options.registry && known.find((d) => d.startsWith(`${options.registry}/`))) || known[0];
  if (preferred) {
    ctx.note(`runs ${preferred}: the registry digest the image is known by`, { reference: preferred });
    return { ...split(preferred), reference: preferred, pushed: false };
  }
  if (!options.registry) {
    throw new ImageError(
      'IMAGE_REJECTED',
      [
        `The image ${image.reference} (${image.id.slice(7, 19)}) exists only on this machine (built or imported, never pulled from a registry), so the other swarm nodes cannot pull it.`,
        'Set the swarm plugin\'s "registry" option to a registry every node can reach (plugins: [[swarm, { registry: registry.example.com }]]): stigmer then pushes the image there and runs it by digest.',
      ].join(' '),
      { details: { reference: image.reference, id: image.id } },
    );
  }
  const swarm = swarmOf(ctx);
  const target = `${options.registry}/${options.repository}:local-${image.id.replace(/^sha256:/, '').slice(0, 12)}`;
  await ctx.engine.tag(image.id, target);
  const credential = await ctx.credentials(options.registry, options.repository);
  const digest = await swarm.push(target, { auth: credential?.auth, signal: ctx.signal });
  const reference = `${options.registry}/${options.repository}@${digest}`;
  ctx.note(
    `pushed ${target} (${credential ? `credentials from ${credential.source}` : 'anonymous'}): every node pulls ${reference}`,
    { reference },
  );
  return { reference, registry: options.registry, repository: options.repository, pushed: true };
}

/** `host:port/repo/path@sha256:...` → its registry and repository (Docker Hub names have no host). */
function split(reference: string): { registry: string; repository: string } {
  const name = reference.slice(0, reference.indexOf('@'));
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost')
    return { registry: first, repository: name.slice(slash + 1) };
  return { registry: 'docker.io', repository: name.includes('/') ? name : `library/${name}` };
}

/** The engine's Swarm API, or a clear refusal when this engine has none. */
export function swarmOf(ctx: HookContext<SwarmOptions>) {
  const swarm = ctx.engine.swarm?.();
  if (!swarm) {
    throw new ServerError(
      'SERVER_START_FAILED',
      'The swarm plugin needs an engine with the Swarm API (services, secrets); this host gave none.',
    );
  }
  return swarm;
}
