import type { PluginModule } from '@stigmer/core/host';

/** The chain used when no config names one: the original CLI's order. */
export const DEFAULT_PLUGINS: readonly string[] = Object.freeze([
  'local-image',
  'ghcr',
  'build-hint',
  'agent-runner',
]);

/**
 * First-party plugins shipped inside the CLI, by package name, loaded only
 * when a chain names them. A copy installed next to the user's config wins.
 */
export const BUILTIN_PLUGINS: Readonly<Record<string, () => Promise<PluginModule>>> = Object.freeze({
  '@stigmer/plugin-local-image': () => import('@stigmer/plugin-local-image'),
  '@stigmer/plugin-ghcr': () => import('@stigmer/plugin-ghcr'),
  '@stigmer/plugin-build-hint': () => import('@stigmer/plugin-build-hint'),
  '@stigmer/plugin-rebuild': () => import('@stigmer/plugin-rebuild'),
  '@stigmer/plugin-registry': () => import('@stigmer/plugin-registry'),
  '@stigmer/plugin-offline': () => import('@stigmer/plugin-offline'),
  '@stigmer/plugin-image-checks': () => import('@stigmer/plugin-image-checks'),
  '@stigmer/plugin-agent-runner': () => import('@stigmer/plugin-agent-runner'),
  '@stigmer/plugin-swarm': () => import('@stigmer/plugin-swarm'),
  '@stigmer/plugin-kubernetes': () => import('@stigmer/plugin-kubernetes'),
});

/**
 * Renderers `server manifest` adds after the chain unless the config names
 * them (with options): the formats stigmer renders out of the box.
 */
export const MANIFEST_PLUGINS: readonly string[] = Object.freeze(['kubernetes']);
