import { createHash } from 'node:crypto';
import type { ContainerSpec, MountSpec } from '../engine/types.js';
import { isCoreLabel } from './labels.js';

/** Stands in for a secret value wherever a spec is written down or compared. */
export const SECRET_PLACEHOLDER = '(secret)';

/**
 * A container spec as stigmer records it on the container: everything that
 * decides how it runs, with secret values replaced by a placeholder. Two
 * starts with equal fingerprints (and equal secrets) want the same container.
 */
export interface SpecFingerprint {
  /** The image id (`sha256:...`): a retagged image is a different image. */
  image: string;
  name: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  mounts: MountSpec[];
  networkMode: string | null;
  restartPolicy: string | null;
  user: string | null;
  command: string[] | null;
  init: boolean | null;
  log: { driver: string; options: Record<string, string> } | null;
  /** Only recorded when there are any, so specs without them keep the fingerprints they had. */
  extraHosts?: string[];
}

/** The fingerprint of `spec` running image `imageId`. */
export function fingerprint(spec: ContainerSpec, imageId: string): SpecFingerprint {
  const secret = new Set(spec.secretEnv ?? []);
  return {
    image: imageId,
    name: spec.name,
    env: Object.fromEntries(
      Object.entries(spec.env).map(([key, value]) => [key, secret.has(key) ? SECRET_PLACEHOLDER : value]),
    ),
    labels: Object.fromEntries(Object.entries(spec.labels).filter(([key]) => !isCoreLabel(key))),
    mounts: spec.mounts.map((m) => ({ source: m.source, target: m.target, readOnly: Boolean(m.readOnly) })),
    networkMode: spec.networkMode ?? null,
    restartPolicy: spec.restartPolicy ?? null,
    user: spec.user ?? null,
    command: spec.command ? [...spec.command] : null,
    init: spec.init ?? null,
    log: spec.log ? { driver: spec.log.driver, options: { ...spec.log.options } } : null,
    ...(spec.extraHosts && spec.extraHosts.length > 0 ? { extraHosts: [...spec.extraHosts] } : {}),
  };
}

/** JSON with object keys sorted at every level, so equal fingerprints serialise equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** `sha256:<hex>` of the canonical fingerprint. */
export function fingerprintHash(print: SpecFingerprint): string {
  return `sha256:${createHash('sha256').update(canonicalJson(print)).digest('hex')}`;
}

/** Parses a fingerprint label; `undefined` when it is missing or not one. */
export function parseFingerprint(text: string | undefined): SpecFingerprint | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<SpecFingerprint>;
    return typeof value.image === 'string' && value.env && typeof value.env === 'object'
      ? (value as SpecFingerprint)
      : undefined;
  } catch {
    return undefined;
  }
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
const show = (value: unknown) =>
  value === null || value === undefined
    ? '(none)'
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
const mountText = (m: MountSpec) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`;

/**
 * What differs between the running container's fingerprint and the wanted
 * one, one line each, in words a user can act on. Secret values never appear.
 */
export function fingerprintDifferences(running: SpecFingerprint, wanted: SpecFingerprint): string[] {
  const lines: string[] = [];
  if (running.image !== wanted.image) lines.push(`image: ${short(running.image)} → ${short(wanted.image)}`);
  if (running.name !== wanted.name) lines.push(`name: ${running.name} → ${wanted.name}`);
  lines.push(...mapDifferences('env', running.env, wanted.env));
  lines.push(...mapDifferences('label', running.labels ?? {}, wanted.labels));
  const [before, after] = [running.mounts ?? [], wanted.mounts].map((list) => list.map(mountText).join(', '));
  if (before !== after) lines.push(`mounts: ${before || '(none)'} → ${after || '(none)'}`);
  const scalar: [string, keyof SpecFingerprint][] = [
    ['network', 'networkMode'],
    ['restart policy', 'restartPolicy'],
    ['user', 'user'],
    ['command', 'command'],
    ['init', 'init'],
    ['logging', 'log'],
    ['extra hosts', 'extraHosts'],
  ];
  for (const [label, key] of scalar) {
    const [a, b] = [canonicalJson(running[key] ?? null), canonicalJson(wanted[key] ?? null)];
    if (a !== b) lines.push(`${label}: ${show(running[key])} → ${show(wanted[key])}`);
  }
  return lines;
}

function mapDifferences(
  kind: string,
  before: Record<string, string>,
  after: Record<string, string>,
): string[] {
  const lines: string[] = [];
  const value = (v: string) => (v === SECRET_PLACEHOLDER ? '' : ` (${v})`);
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const [a, b] = [before[key], after[key]];
    if (a === b) continue;
    if (a === undefined) lines.push(`${kind} ${key} added${value(b as string)}`);
    else if (b === undefined) lines.push(`${kind} ${key} removed`);
    else if (a === SECRET_PLACEHOLDER || b === SECRET_PLACEHOLDER)
      lines.push(`${kind} ${key} changed (secret)`);
    else lines.push(`${kind} ${key}: ${a} → ${b}`);
  }
  return lines;
}

/**
 * Secret values the container runs with that differ from the wanted ones,
 * compared in memory against the container's environment (the only place
 * they are kept). Names only, never values.
 */
export function secretDifferences(spec: ContainerSpec, containerEnv: readonly string[]): string[] {
  const running = new Map<string, string>();
  for (const entry of containerEnv) {
    const eq = entry.indexOf('=');
    if (eq > 0) running.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return (spec.secretEnv ?? [])
    .filter((key) => key in spec.env && running.has(key) && running.get(key) !== spec.env[key])
    .map((key) => `env ${key} changed (secret)`);
}
