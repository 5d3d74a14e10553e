import type { RegistryAuth } from '../engine/types.js';

/**
 * Authentication for stigmer's own registry requests, speaking every scheme
 * the engine's pull speaks, so that a check never silently falls back to
 * anonymous where the engine would have logged in:
 * - `Basic` challenges (htpasswd-protected registries): the user name and
 *   password, on each request;
 * - `Bearer` challenges (ghcr.io, Docker Hub, distribution's token auth): a
 *   token from the realm, asked anonymously or with Basic credentials, or,
 *   for an identity token stored by `docker login` (Azure's registry and any
 *   realm that hands out refresh tokens), an OAuth2 POST with
 *   `grant_type=refresh_token`, as the engine does;
 * - a registry token given as such: sent as the bearer token at once.
 * Secrets go only into request headers and bodies, never into results or errors.
 */

/** A parsed `WWW-Authenticate` header. */
export type Challenge =
  | { scheme: 'bearer'; params: Record<string, string> }
  | { scheme: 'basic'; params: Record<string, string> };

/** The client id stigmer gives token endpoints, as the docker CLI gives `docker`. */
const CLIENT_ID = 'stigmer';

/** Parses `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`. */
export function parseChallenge(header: string | null): Challenge | undefined {
  const match = header ? /^\s*(bearer|basic)\b(.*)$/is.exec(header) : null;
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const param of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) {
    if (param[1] && param[2] !== undefined) params[param[1].toLowerCase()] = param[2];
  }
  const scheme = (match[1] as string).toLowerCase() as Challenge['scheme'];
  if (scheme === 'bearer' && !params.realm) return undefined;
  return { scheme, params };
}

/** The `Authorization` header that answers `challenge` with `auth`, or `undefined` when it cannot. */
export async function answerChallenge(
  challenge: Challenge,
  auth: RegistryAuth | undefined,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (challenge.scheme === 'basic') {
    return auth?.username && auth.password ? basic(auth.username, auth.password) : undefined;
  }
  if (auth?.registryToken) return `Bearer ${auth.registryToken}`;
  const token = auth?.identityToken
    ? await refreshGrant(challenge.params, auth.identityToken, signal)
    : await tokenGet(challenge.params, auth, signal);
  return token ? `Bearer ${token}` : undefined;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** `GET realm?service=..&scope=..`, with Basic credentials when there are some. */
async function tokenGet(
  params: Record<string, string>,
  auth: RegistryAuth | undefined,
  signal: AbortSignal,
): Promise<string | undefined> {
  const url = new URL(params.realm as string);
  if (params.service) url.searchParams.set('service', params.service);
  if (params.scope) url.searchParams.set('scope', params.scope);
  const headers: Record<string, string> = {};
  if (auth?.username && auth.password) headers.authorization = basic(auth.username, auth.password);
  return tokenFrom(await fetch(url, { headers, signal }));
}

/**
 * OAuth2 refresh-token grant: `POST realm` with `grant_type=refresh_token`,
 * what the engine sends for an `identitytoken` and the only form Azure's
 * registry accepts for one. A realm without OAuth2 (404, 405) gets the
 * anonymous GET instead, as the engine falls back.
 */
async function refreshGrant(
  params: Record<string, string>,
  refreshToken: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: CLIENT_ID,
  });
  if (params.service) form.set('service', params.service);
  if (params.scope) form.set('scope', params.scope);
  const response = await fetch(params.realm as string, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    signal,
  });
  if (response.status === 404 || response.status === 405) {
    await response.body?.cancel();
    return tokenGet(params, undefined, signal);
  }
  return tokenFrom(response);
}

async function tokenFrom(response: Response): Promise<string | undefined> {
  if (!response.ok) {
    await response.body?.cancel();
    return undefined;
  }
  const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
  return body.token || body.access_token || undefined;
}

/**
 * Requests to one repository of one registry with one set of credentials:
 * the first 401 is answered (see `answerChallenge`) and the answer reused for
 * every later request, so a pull of many blobs asks the realm once. A request
 * the registry still refuses comes back as its 401 or 403 for the caller to
 * judge. Never throws for an HTTP status.
 */
export class RegistrySession {
  #authorization: string | undefined;

  constructor(
    private readonly auth: RegistryAuth | undefined,
    /** Aborts every request of the session (the user's interrupt). */
    readonly signal: AbortSignal,
  ) {
    if (auth?.registryToken) this.#authorization = `Bearer ${auth.registryToken}`;
  }

  /** Sends a request (with `signal` when given, e.g. a stall watchdog's, else the session's). */
  async fetch(
    url: string,
    init: { method?: string; headers?: Record<string, string> } = {},
    signal: AbortSignal = this.signal,
  ): Promise<Response> {
    const send = () =>
      fetch(url, {
        ...init,
        headers: { ...init.headers, ...(this.#authorization ? { authorization: this.#authorization } : {}) },
        signal,
      });
    const response = await send();
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    if (!challenge) return response;
    const answer = await answerChallenge(challenge, this.auth, signal);
    if (!answer || answer === this.#authorization) return response;
    await response.body?.cancel();
    this.#authorization = answer;
    return send();
  }
}
