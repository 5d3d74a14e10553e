import { createHash } from 'node:crypto';
import type { ContainerSpec, SwarmEngine } from '@stigmer/core';
import { SECRET_FILE_PREFIX, type SecretRef } from './service-spec.js';

/** The label that marks the secrets stigmer made for one service. */
export const SECRET_OWNER_LABEL = 'org.stigmer.swarm.service';

/**
 * One Swarm secret per secret variable of the spec, created when missing.
 * Secrets cannot change: a new value is a new secret, named after the
 * variable and a truncated hash of its value (so an unchanged key finds
 * its secret again, and a changed one makes a new one, which rolls the
 * service). Values go to the engine only, never to a spec or a message.
 */
export async function ensureSecrets(
  swarm: SwarmEngine,
  spec: ContainerSpec,
  ownerLabels: Record<string, string>,
): Promise<SecretRef[]> {
  const keys = [...new Set(spec.secretEnv ?? [])].filter((key) => spec.env[key] !== undefined).sort();
  if (keys.length === 0) return [];
  const labels = { ...ownerLabels, [SECRET_OWNER_LABEL]: spec.name };
  const existing = await swarm.secrets({ [SECRET_OWNER_LABEL]: spec.name });
  const refs: SecretRef[] = [];
  for (const key of keys) {
    const name = secretName(spec.name, key, spec.env[key] ?? '');
    const found = existing.find((s) => s.name === name);
    const id = found?.id ?? (await swarm.createSecret(name, spec.env[key] ?? '', labels));
    refs.push({ key, id, name });
  }
  return refs;
}

/**
 * Removes the secrets stigmer made for this service that `keep` does not
 * name. One the engine refuses (still used, by a rollback's spec) stays;
 * the next start or stop removes it.
 */
export async function removeSecretsExcept(
  swarm: SwarmEngine,
  service: string,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const removed: string[] = [];
  for (const secret of await swarm.secrets({ [SECRET_OWNER_LABEL]: service })) {
    if (keep.has(secret.id)) continue;
    try {
      await swarm.removeSecret(secret.id);
      removed.push(`secret ${secret.name}`);
    } catch {
      // In use: kept for now.
    }
  }
  return removed;
}

/** `<service>-<key>-<12 hex of a hash of service, key and value>`: within Swarm's 64 characters. */
export function secretName(service: string, key: string, value: string): string {
  const hash = createHash('sha256').update(`${service}\0${key}\0${value}`).digest('hex').slice(0, 12);
  const prefix = `${service}-${key}`.slice(0, 50).replace(/[^a-zA-Z0-9_.-]/g, '-');
  return `${prefix}-${hash}`;
}

/** The secret ids a service spec mounts. */
export function secretIdsOf(spec: unknown): string[] {
  const secrets = (spec as { TaskTemplate?: { ContainerSpec?: { Secrets?: { SecretID?: string }[] } } })
    ?.TaskTemplate?.ContainerSpec?.Secrets;
  return (secrets ?? []).flatMap((s) => (s.SecretID ? [s.SecretID] : []));
}

/** The variables a service spec receives as secrets: the keys of its `stigmer-env.<KEY>` files. */
export function secretKeysOf(spec: unknown): string[] {
  const secrets = (
    spec as { TaskTemplate?: { ContainerSpec?: { Secrets?: { File?: { Name?: string } }[] } } }
  )?.TaskTemplate?.ContainerSpec?.Secrets;
  return (secrets ?? []).flatMap((s) =>
    s.File?.Name?.startsWith(SECRET_FILE_PREFIX) ? [s.File.Name.slice(SECRET_FILE_PREFIX.length)] : [],
  );
}
