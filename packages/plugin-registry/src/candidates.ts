import type { MirrorRule } from './options.js';

/** One place the image may be pulled from. */
export interface Candidate {
  /** `mirror.corp.example/stigmer/agent-runner:v0.1.0` */
  reference: string;
  /** The registry host, the key of its cool-down. */
  registry: string;
  /** True for the canonical registry itself. */
  origin: boolean;
}

/** The name a rule rewrites `name` to, or undefined when it does not match. */
export function rewrite(name: string, rule: MirrorRule): string | undefined {
  if (rule.match.endsWith('*')) {
    const prefix = rule.match.slice(0, -1);
    if (!name.startsWith(prefix)) return undefined;
    const rest = name.slice(prefix.length);
    return rule.rewrite.endsWith('*') ? rule.rewrite.slice(0, -1) + rest : rule.rewrite;
  }
  return name === rule.match ? rule.rewrite.replace(/\/?\*$/, '') : undefined;
}

/**
 * Where to look, in order: each matching rule's mirror (once each), then the
 * canonical registry unless `origin` is false.
 */
export function candidates(
  name: string,
  tag: string,
  rules: readonly MirrorRule[],
  origin: boolean,
): Candidate[] {
  const out: Candidate[] = [];
  const add = (mirrored: string, isOrigin: boolean) => {
    const reference = `${mirrored}:${tag}`;
    if (!out.some((c) => c.reference === reference)) {
      out.push({ reference, registry: mirrored.slice(0, mirrored.indexOf('/')), origin: isOrigin });
    }
  };
  for (const rule of rules) {
    const mirrored = rewrite(name, rule);
    if (mirrored) add(mirrored, false);
  }
  if (origin) add(name, true);
  return out;
}
