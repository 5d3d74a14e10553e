/**
 * Kubernetes' naming rules, which Docker's are wider than: a container
 * named `Stigmer_Runner` is fine for Docker and refused by the API server.
 * The schemas `kubernetes-models` checks against type names as strings, so
 * these rules are checked here.
 */

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A DNS-1123 label made from a Docker name: lower case, other characters as
 * `-`, at most 63. `fallback` when nothing usable is left.
 */
export function dnsLabel(name: string, fallback: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return label === '' ? fallback : label;
}

/** A label or annotation key: `[prefix/]name`, the prefix a DNS subdomain, the name 63 at most. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  if (name.length > 63 || !NAME_PART.test(name)) return false;
  return prefix === undefined || (prefix.length <= 253 && PREFIX.test(prefix));
}

/** A label value: empty, or 63 at most of letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME_PART.test(value));
}

/**
 * The spec's labels split as Kubernetes takes them: those that are valid
 * labels stay labels (selectable); the rest (paths, references, the recorded
 * spec) become annotations, which take any value.
 */
export function splitLabels(labels: Readonly<Record<string, string>>): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const out = { labels: {} as Record<string, string>, annotations: {} as Record<string, string> };
  for (const [key, value] of Object.entries(labels)) {
    if (!isLabelKey(key)) continue; // not even an annotation key: nothing can carry it
    if (isLabelValue(value)) out.labels[key] = value;
    else out.annotations[key] = value;
  }
  return out;
}
