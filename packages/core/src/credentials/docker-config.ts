// fs.promises, not node:fs/promises: loaded on first use (it costs ~4 ms of start-up).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RegistryAuth } from '../engine/types.js';

/**
 * The docker CLI's config file (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`), and the same shape in `DOCKER_AUTH_CONFIG`:
 * `auths` (inline credentials), `credsStore` (one helper for every registry)
 * and `credHelpers` (a helper per registry).
 */
export interface DockerConfigJson {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** One `auths` entry: `auth` is base64 of `user:password`. */
export interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** A docker config and where it came from, for messages (never its content). */
export interface LoadedDockerConfig {
  config: DockerConfigJson;
  /** `/root/.docker/config.json` or `DOCKER_AUTH_CONFIG`. */
  origin: string;
}

const HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/**
 * A registry key as docker writes them (`https://index.docker.io/v1/`,
 * `ghcr.io`, `http://127.0.0.1:5000/v2/`) reduced to the host a reference names.
 */
export function normaliseRegistry(key: string): string {
  const host = key
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return HUB_ALIASES.has(host) ? 'docker.io' : host;
}

/** The address a credential helper is asked about: Docker Hub's historic URL, else the host. */
export function helperServerUrl(registry: string): string {
  return normaliseRegistry(registry) === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}

/** The value stored under `registry` in a map keyed like docker's, and its key as written. */
export function lookup<T>(map: Record<string, T> | undefined, registry: string): [string, T] | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const wanted = normaliseRegistry(registry);
  for (const [key, value] of Object.entries(map)) if (normaliseRegistry(key) === wanted) return [key, value];
  return undefined;
}

/** Credentials of an `auths` entry, or `undefined` when it holds none (a credsStore placeholder). */
export function authFromEntry(entry: DockerAuthEntry, registry: string): RegistryAuth | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  const auth: RegistryAuth = { serverAddress: registry };
  if (typeof entry.auth === 'string' && entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      auth.username = decoded.slice(0, colon);
      auth.password = decoded.slice(colon + 1);
    }
  }
  if (typeof entry.username === 'string' && entry.username) auth.username = entry.username;
  if (typeof entry.password === 'string' && entry.password) auth.password = entry.password;
  if (typeof entry.identitytoken === 'string' && entry.identitytoken)
    auth.identityToken = entry.identitytoken;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken)
    auth.registryToken = entry.registrytoken;
  return auth.password || auth.identityToken || auth.registryToken ? auth : undefined;
}

/** Where the docker config lives for this environment. */
export function dockerConfigPath(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  return path.join(env.DOCKER_CONFIG || path.join(homeDir, '.docker'), 'config.json');
}

/**
 * Reads and parses the docker config. A missing file is `undefined`; an
 * unreadable or malformed one is an error whose message names the file only:
 * parser messages quote the text, and the text holds secrets.
 */
export async function readDockerConfig(file: string): Promise<LoadedDockerConfig | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file} could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return { config: parseDockerConfig(text, file), origin: file };
}

/** Parses docker config JSON; the error names `origin` and never quotes the text. */
export function parseDockerConfig(text: string, origin: string): DockerConfigJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${origin} is not valid JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${origin} is not a JSON object`);
  }
  return value as DockerConfigJson;
}
