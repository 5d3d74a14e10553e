import { createHash, createPublicKey, createSign, type KeyObject, randomBytes } from 'node:crypto';

/**
 * Just enough JWT for distribution's token auth, with node:crypto only.
 *
 * distribution 2.8 rejects, each time with a bare 401 `invalid_token`:
 * an alg other than RS256/ES256; a `kid` that is not the *libtrust*
 * fingerprint of the signing key (an RFC 7638 thumbprint is refused);
 * `aud` as an array; a missing `exp`. Hence the exact shapes below.
 */

/** One grant in a token's `access` claim. */
export interface Access {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenClaims {
  iss: string;
  sub: string;
  /** The registry's `service`, as a string: distribution refuses an array. */
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: Access[];
}

/**
 * libtrust's key id: SHA-256 of the DER SubjectPublicKeyInfo, first 30 bytes
 * (240 bits = 48 base32 characters), base32 without padding, 12 groups of 4
 * joined by ':'. This is what distribution matches `kid` against.
 */
export function libtrustKeyId(key: KeyObject): string {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const digest = createHash('sha256').update(spki).digest().subarray(0, 30);
  const encoded = base32(digest);
  return encoded.match(/.{4}/g)?.join(':') ?? encoded;
}

/** RFC 4648 base32 without padding. */
export function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** Claims for a token valid `ttlSeconds` from now. */
export function tokenClaims(options: {
  issuer: string;
  service: string;
  subject: string;
  access: Access[];
  ttlSeconds: number;
}): TokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: options.issuer,
    sub: options.subject,
    aud: options.service,
    exp: now + options.ttlSeconds,
    // A little slack on nbf for clock differences; distribution allows 60 s too.
    nbf: now - 10,
    iat: now,
    jti: randomBytes(16).toString('hex'),
    access: options.access,
  };
}

/** A compact RS256 JWT whose header names the key by its libtrust id. */
export function signRs256(claims: TokenClaims, privateKey: KeyObject, keyId: string): string {
  const header = { typ: 'JWT', alg: 'RS256', kid: keyId };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}
