import type Docker from 'dockerode';
import { inject } from 'vitest';
import type { Credentials } from './credentials.js';
import { dockerClient, engineAddress } from './engine.js';
import type { TokenRequestRecord } from './token-server.js';

/**
 * What the global setup hands to every test file (via vitest's provide/inject).
 * JSON-serialisable: it crosses from the main process to the test workers.
 */
export interface HarnessInfo {
  /** The engine the setup checked, e.g. `unix:///var/run/docker.sock`. */
  dockerHost: string;
  /** `127.0.0.1:<port>` of a registry without auth. */
  openRegistry: string;
  /** `127.0.0.1:<port>` of a registry with ghcr-like token auth. */
  tokenRegistry: string;
  /** `http://127.0.0.1:<port>` of the token server (`/token`, `/requests`). */
  tokenServer: string;
  /** `pusher` may push and pull everything; `reader` may pull the private repository. */
  users: { pusher: Credentials; reader: Credentials };
  /** The locally built image, still tagged in the engine. */
  testImage: { repository: string; tag: string; id: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    harness: HarnessInfo;
  }
}

/** The harness of this run; only valid inside the integration project. */
export function harness(): HarnessInfo {
  const info = inject('harness');
  if (!info) throw new Error('no harness provided: run this file in the vitest "integration" project');
  return info;
}

/** A dockerode client for the engine the global setup checked. */
export function harnessDocker(): Docker {
  return dockerClient(engineAddress({ DOCKER_HOST: harness().dockerHost }));
}

/** Token requests recorded since the setup finished (or since the last clear). */
export async function tokenRequests(): Promise<TokenRequestRecord[]> {
  const response = await fetch(`${harness().tokenServer}/requests`);
  if (!response.ok) throw new Error(`token server /requests answered ${response.status}`);
  return (await response.json()) as TokenRequestRecord[];
}

export async function clearTokenRequests(): Promise<void> {
  const response = await fetch(`${harness().tokenServer}/requests`, { method: 'DELETE' });
  if (!response.ok) throw new Error(`token server /requests answered ${response.status}`);
}
