/**
 * True when an image's platform satisfies the wanted one. `linux/arm64`
 * matches `linux/arm64/v8`: variants are compared only when both name one,
 * since engines often omit them.
 */
export function platformMatches(actual: string, wanted: string): boolean {
  const [a, b] = [actual.split('/'), wanted.split('/')];
  return a[0] === b[0] && a[1] === b[1] && (a[2] === undefined || b[2] === undefined || a[2] === b[2]);
}
