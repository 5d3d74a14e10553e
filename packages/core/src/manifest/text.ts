import type { ManifestOutput } from './types.js';

/**
 * The documents as text: YAML, one document each, separated by `---` (what
 * `kubectl apply -f -` and most tools read); or JSON, one value: the single
 * document, else `combined` when the renderer gave one (Kubernetes: a `List`),
 * else an array. js-yaml loads only here, for this command.
 */
export async function manifestText(
  documents: readonly Record<string, unknown>[],
  output: ManifestOutput,
  combined?: Record<string, unknown>,
): Promise<string> {
  if (output === 'json') {
    const value = documents.length === 1 ? documents[0] : (combined ?? documents);
    return `${JSON.stringify(value, null, 2)}\n`;
  }
  const yaml = await import('js-yaml');
  // No anchors (`noRefs`), no folding of long lines (`lineWidth: -1`): the
  // text must read back to exactly these objects, and a secret or a
  // command line must not be wrapped.
  return documents
    .map((doc) => `---\n${yaml.dump(doc, { noRefs: true, lineWidth: -1, sortKeys: false })}`)
    .join('');
}
