import type { RegistryAuth } from '../engine/types.js';
import { helperServerUrl } from './docker-config.js';

/** How long a credential helper may take: a keychain prompt should not hang a pull forever. */
const HELPER_TIMEOUT_MS = 20_000;

/** What asking a helper gave: credentials, nothing stored, or a failure to warn about. */
export type HelperAnswer =
  | { kind: 'found'; auth: RegistryAuth }
  | { kind: 'none' }
  | { kind: 'failed'; reason: string };

/**
 * Runs `docker-credential-<name> get` with the server address on stdin, as the
 * docker CLI does, and reads `{ServerURL, Username, Secret}` from stdout. A
 * `<token>` username means the secret is an identity token. Nothing the
 * helper prints is ever quoted in a reason (its output holds the secret).
 */
export async function askHelper(name: string, registry: string, signal?: AbortSignal): Promise<HelperAnswer> {
  const program = `docker-credential-${name}`;
  const { execa } = await import('execa');
  const result = await execa(program, ['get'], {
    input: helperServerUrl(registry),
    reject: false,
    timeout: HELPER_TIMEOUT_MS,
    ...(signal ? { cancelSignal: signal } : {}),
    stripFinalNewline: true,
    env: { NO_COLOR: '1' },
  });
  if (signal?.aborted) throw signal.reason;
  if (result.failed && result.exitCode === undefined) {
    const code = (result as { code?: string }).code;
    if (code === 'ENOENT')
      return { kind: 'failed', reason: `${program} is not installed (not found on PATH)` };
    if (result.timedOut)
      return { kind: 'failed', reason: `${program} did not answer within ${HELPER_TIMEOUT_MS / 1000}s` };
    return { kind: 'failed', reason: `${program} could not be run (${code ?? 'unknown error'})` };
  }
  if (result.exitCode !== 0) {
    // docker-credential-helpers' own words for "nothing stored for this server".
    if (/credentials not found/i.test(`${result.stdout}\n${result.stderr}`)) return { kind: 'none' };
    return { kind: 'failed', reason: `${program} get exited with code ${result.exitCode}` };
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(String(result.stdout)) as typeof answer;
  } catch {
    return { kind: 'failed', reason: `${program} get printed something that is not JSON` };
  }
  const username = typeof answer.Username === 'string' ? answer.Username : '';
  const secret = typeof answer.Secret === 'string' ? answer.Secret : '';
  if (!secret) return { kind: 'none' };
  const auth: RegistryAuth =
    username === '<token>'
      ? { identityToken: secret, serverAddress: registry }
      : { username, password: secret, serverAddress: registry };
  return { kind: 'found', auth };
}
