import { ConfigError } from '../errors.js';

/**
 * Image references, parsed the way the Docker engine and the distribution
 * project (`github.com/distribution/reference`) read them.
 *
 * Written here rather than taken from npm: the packages that port this grammar
 * either carry the old `[-]*` separator, whose nested repetition backtracks
 * exponentially in JavaScript's regex engine (a 17-character invalid name took
 * over 30 s), or need a native RE2 build. The grammar is small; every pattern
 * below is linear because each repetition starts with a character the
 * previous one cannot match.
 */

/** A reference split into its parts, with Docker's defaults applied. */
export interface ImageReference {
  /** `docker.io`, `ghcr.io`, `127.0.0.1:5000`, `localhost`... */
  registry: string;
  /** Path inside the registry: `library/ubuntu`, `stigmer/agent-runner`. */
  repository: string;
  /** `latest` when the text named neither a tag nor a digest. */
  tag?: string;
  /** `sha256:...` when the text pinned one. */
  digest?: string;
  /** The short form people type: `ubuntu:latest`, `ghcr.io/stigmer/agent-runner:v1`. */
  familiar: string;
}

export const DEFAULT_REGISTRY = 'docker.io';
const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
const OFFICIAL_NAMESPACE = 'library';
const DEFAULT_TAG = 'latest';
const NAME_MAX_LENGTH = 255;

// distribution/reference's grammar (regexp.go), with the current separator.
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6Address = '\\[[a-fA-F0-9:]+\\]';
const domainAndPort = `(?:${domainNameComponent}(?:\\.${domainNameComponent})*|${ipv6Address})(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const DOMAIN = new RegExp(`^${domainAndPort}$`);
const REMOTE_NAME = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const TAG = new RegExp(`^${tagPattern}$`);
const DIGEST = new RegExp(`^${digestPattern}$`);
const IDENTIFIER = /^[a-f0-9]{64}$/;

/** Hex lengths of the digest algorithms the engine accepts. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

function invalid(text: string, reason: string): ConfigError {
  return new ConfigError(
    'CONFIG_INVALID',
    `"${text}" is not a valid image reference: ${reason}.\n` +
      'An image reference looks like NAME[:TAG][@DIGEST], for example ' +
      '"ghcr.io/stigmer/agent-runner:v0.0.11" or "127.0.0.1:5000/team/app@sha256:<64 hex digits>".',
    { details: { reference: text, reason } },
  );
}

/** A reference cut into name, tag and digest, without checking any of them. */
export interface ReferenceParts {
  /** Everything before the tag and digest: `ghcr.io/stigmer/agent-runner`, `127.0.0.1:5000/x`. */
  name: string;
  tag?: string;
  digest?: string;
}

/**
 * Cuts a reference as the engine does: the digest is everything after the
 * first `@`, the tag what follows the last `:` after the last `/` (a `:`
 * before it is a registry port). No rule is checked: `parseReference` does
 * that; this is for text the engine already accepted or is about to judge.
 */
export function splitReference(text: string): ReferenceParts {
  const at = text.indexOf('@');
  const rest = at === -1 ? text : text.slice(0, at);
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  const parts: ReferenceParts = { name: hasTag ? rest.slice(0, colon) : rest };
  if (hasTag) parts.tag = rest.slice(colon + 1);
  if (at !== -1) parts.digest = text.slice(at + 1);
  return parts;
}

/**
 * Parses an image reference. A first component with a `.` or `:`, that is
 * `localhost`, or that has upper-case letters names a registry; otherwise the
 * image is on Docker Hub (`docker.io`), and single names get `library/`.
 * Throws `ConfigError` (`CONFIG_INVALID`) saying which rule the text breaks.
 */
export function parseReference(text: string): ImageReference {
  if (text === '') throw invalid(text, 'it is empty');
  if (IDENTIFIER.test(text)) {
    throw invalid(text, 'a 64-digit hexadecimal string is an image id, not a name');
  }

  // NAME[:TAG][@DIGEST], cut as the engine cuts it.
  const { name, tag: givenTag, digest } = splitReference(text);
  if (digest !== undefined) checkDigest(text, digest);
  let tag = givenTag;
  if (tag !== undefined && !TAG.test(tag)) {
    throw invalid(
      text,
      `the tag "${tag}" must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`,
    );
  }

  if (name === '') throw invalid(text, 'the name is empty');
  if (name.length > NAME_MAX_LENGTH) {
    throw invalid(text, `the name is longer than ${NAME_MAX_LENGTH} characters`);
  }

  let registry: string;
  let repository: string;
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    registry = first;
    repository = name.slice(slash + 1);
    if (!DOMAIN.test(registry)) throw invalid(text, `"${registry}" is not a valid registry host`);
  } else {
    registry = DEFAULT_REGISTRY;
    repository = name;
  }
  if (registry === LEGACY_DEFAULT_REGISTRY) registry = DEFAULT_REGISTRY;

  if (repository.toLowerCase() !== repository) {
    throw invalid(text, 'the repository name must be lowercase');
  }
  if (!REMOTE_NAME.test(repository)) {
    throw invalid(
      text,
      `"${repository}" is not a valid repository path: components of lowercase letters and digits, ` +
        "separated by '/', joined inside by '.', '_', '__' or dashes",
    );
  }
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) {
    repository = `${OFFICIAL_NAMESPACE}/${repository}`;
  }

  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;

  const parsed: ImageReference = { registry, repository, familiar: '' };
  if (tag !== undefined) parsed.tag = tag;
  if (digest !== undefined) parsed.digest = digest;
  parsed.familiar = formatReference(parsed, { familiar: true });
  return parsed;
}

function checkDigest(text: string, digest: string): void {
  if (!DIGEST.test(digest)) {
    throw invalid(text, `"${digest}" is not a digest (ALGORITHM:HEX, such as sha256:<64 hex digits>)`);
  }
  const separator = digest.indexOf(':');
  const algorithm = digest.slice(0, separator);
  const hex = digest.slice(separator + 1);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) {
    throw invalid(text, `the digest algorithm "${algorithm}" is not supported (sha256, sha384 or sha512)`);
  }
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) {
    throw invalid(text, `a ${algorithm} digest is ${length} lowercase hexadecimal digits`);
  }
}

/**
 * Writes a reference back as text: fully qualified by default
 * (`docker.io/library/ubuntu:latest`), or in the familiar form Docker prints
 * (`ubuntu:latest`) with `{ familiar: true }`.
 */
export function formatReference(
  reference: Pick<ImageReference, 'registry' | 'repository' | 'tag' | 'digest'>,
  options: { familiar?: boolean } = {},
): string {
  let name = `${reference.registry}/${reference.repository}`;
  if (options.familiar && reference.registry === DEFAULT_REGISTRY) {
    // `library/ubuntu` is shown as `ubuntu`; `library/a/b` keeps its prefix,
    // since `a/b` would name another repository.
    const official = `${OFFICIAL_NAMESPACE}/`;
    const short = reference.repository.slice(official.length);
    name = reference.repository.startsWith(official) && !short.includes('/') ? short : reference.repository;
  }
  if (reference.tag !== undefined) name += `:${reference.tag}`;
  if (reference.digest !== undefined) name += `@${reference.digest}`;
  return name;
}
