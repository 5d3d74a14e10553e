import type { GhcrOptions } from './options.js';

/** The reference to pull for these options and CLI version. */
export function registryReference(options: GhcrOptions, cliVersion: string): string {
  const registry = options.registry ?? 'ghcr.io';
  const repository = options.repository ?? 'stigmer/agent-runner';
  return `${registry}/${repository}:${options.tag ?? defaultTag(cliVersion)}`;
}

/**
 * Release builds pull the image of their own version, tagged with a `v` as
 * the release workflow pushes it. Dev and prerelease builds (`0.2.0-dev`,
 * `0.2.0-rc.1`, empty) have no such image and pull `latest`.
 */
export function defaultTag(cliVersion: string): string {
  const version = cliVersion.replace(/^v/, '');
  return /^\d+\.\d+\.\d+$/.test(version) ? `v${version}` : 'latest';
}
