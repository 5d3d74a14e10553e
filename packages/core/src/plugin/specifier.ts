/** True when the specifier names a file rather than a package. */
export function isPathSpecifier(specifier: string): boolean {
  return (
    /^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:[\\/]|file:)/.test(specifier) || specifier === '.' || specifier === '..'
  );
}

/**
 * The package names a plugin specifier may mean, most specific first,
 * following ESLint's convention:
 * - `ghcr` → `@stigmer/plugin-ghcr` (first party), then `stigmer-plugin-ghcr`;
 * - `stigmer-plugin-foo` and `@stigmer/plugin-foo` → themselves;
 * - `@acme/foo` → `@acme/stigmer-plugin-foo`; `@acme` → `@acme/stigmer-plugin`;
 * - `@acme/stigmer-plugin-foo` → itself.
 */
export function packageCandidates(specifier: string): string[] {
  if (specifier.startsWith('@')) {
    const [scope, name] = specifier.split('/', 2) as [string, string | undefined];
    if (!name) return [`${scope}/stigmer-plugin`];
    if (scope === '@stigmer') return name.startsWith('plugin-') ? [specifier] : [`@stigmer/plugin-${name}`];
    return name.startsWith('stigmer-plugin') ? [specifier] : [`${scope}/stigmer-plugin-${name}`];
  }
  if (specifier.startsWith('stigmer-plugin-')) return [specifier];
  return [`@stigmer/plugin-${specifier}`, `stigmer-plugin-${specifier}`];
}
