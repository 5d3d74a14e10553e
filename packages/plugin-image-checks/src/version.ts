/** The label images carry their version in (the OCI image spec's annotation, as a label). */
export const VERSION_LABEL = 'org.opencontainers.image.version';

/** A version as `major.minor.patch`, without prerelease or build parts. */
export interface CoreVersion {
  major: number;
  minor: number;
  patch: number;
}

/** `v0.1.0`, `0.1.0-dev`, `0.1.0+abc` → 0.1.0; anything else → undefined. */
export function parseVersion(text: string): CoreVersion | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/**
 * Whether an image of version `image` suits a CLI of version `cli`. Returns
 * the reason when it does not, so the user reads why.
 */
export function versionMismatch(
  image: string,
  cli: string,
  match: 'exact' | 'minor' | 'major',
): string | undefined {
  const a = parseVersion(image);
  const b = parseVersion(cli);
  if (!a) return `its version label "${image}" is not a version`;
  if (!b) return `the CLI's version "${cli}" is not a version`;
  const sameMinor = a.major === b.major && a.minor === b.minor;
  const ok =
    match === 'exact'
      ? sameMinor && a.patch === b.patch
      : match === 'minor'
        ? sameMinor
        : a.major === b.major && (a.major > 0 || a.minor === b.minor);
  if (ok) return undefined;
  const rule = {
    exact: 'the same version',
    minor: 'the same major.minor',
    major: a.major === 0 ? 'the same 0.minor' : 'the same major',
  }[match];
  return `it is version ${image}, the CLI is ${cli} (${rule} is required)`;
}
