/**
 * True when an image's platform satisfies the wanted one. `linux/arm64`
 * matches `linux/arm64/v8`: variants are compared only when both name one,
 * since engines often omit them.
 */
export function platformMatches(actual: string, wanted: string): boolean {
  const [a, b] = [actual.split('/'), wanted.split('/')];
  return a[0] === b[0] && a[1] === b[1] && (a[2] === undefined || b[2] === undefined || a[2] === b[2]);
}

/** Go's architecture names, as image platforms use them, for `uname -m` style names. */
export function normalisePlatform(os: string, arch: string, variant?: string): string {
  const o = os.toLowerCase();
  let a = arch.toLowerCase();
  let v = variant?.toLowerCase() || undefined;
  switch (a) {
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      a = 'amd64';
      break;
    case 'aarch64':
    case 'arm64':
      a = 'arm64';
      if (v === 'v8') v = undefined;
      break;
    case 'armhf':
    case 'armv7l':
    case 'armv7':
      a = 'arm';
      v = 'v7';
      break;
    case 'armel':
    case 'armv6l':
    case 'armv6':
      a = 'arm';
      v = 'v6';
      break;
    case 'i386':
    case 'i686':
    case 'x86':
      a = '386';
      break;
  }
  return v ? `${o}/${a}/${v}` : `${o}/${a}`;
}
