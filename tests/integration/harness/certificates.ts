import { execFile } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { libtrustKeyId } from './jwt.js';

const run = promisify(execFile);

/** The token server's signing key and the certificate the registry trusts. */
export interface SigningCertificate {
  /** PEM bundle for the registry's `auth.token.rootcertbundle`. */
  certPath: string;
  privateKey: KeyObject;
  /** libtrust fingerprint of the key, the JWT `kid`. */
  keyId: string;
}

/**
 * Makes a self-signed RSA certificate in `dir` with openssl. node:crypto can
 * read and use X.509 certificates but cannot create them, and distribution
 * needs one: without `rootcertbundle` it panics at start.
 */
export async function makeSigningCertificate(dir: string): Promise<SigningCertificate> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=token',
      '-days',
      '2',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ]);
  } catch (error) {
    throw new Error('openssl could not make the token signing certificate (apt-get install -y openssl)', {
      cause: error,
    });
  }
  const privateKey = createPrivateKey(await readFile(keyPath));
  return { certPath, privateKey, keyId: libtrustKeyId(privateKey) };
}
