import { randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SigningCertificate } from './certificates.js';
import { type Access, signRs256, tokenClaims } from './jwt.js';

/**
 * A token server for distribution's `auth.token`, playing ghcr.io's part.
 *
 * The registry answers 401 with `WWW-Authenticate: Bearer realm=<this>/token,
 * service=..., scope=repository:<repo>:pull`; the engine then calls
 * `GET /token?service=..&scope=..` (scope may repeat), with Basic auth when it
 * has credentials, and retries the registry with the JWT it gets. `docker
 * login` calls it with `account=` and no scope: valid credentials get 200.
 *
 * Refresh tokens, as Azure's registry and `docker login` use them: a GET
 * with valid credentials and `offline_token=true` also returns a
 * `refresh_token`, which `docker login` stores as the docker config's
 * `identitytoken`; `POST /token` with `grant_type=refresh_token` (OAuth2,
 * form-encoded) trades it for an access token with that user's rights, and
 * `grant_type=password` does the same for a user name and password.
 *
 * Policy, as on ghcr: public repositories can be pulled by anyone; private
 * ones by their listed readers; pushers may pull and push anything. Requests
 * are recorded (never passwords) and served at `GET /requests`, because the
 * tests run in worker processes that cannot reach this object.
 */

export interface RepositoryPolicy {
  visibility: 'public' | 'private';
  /** Users who may pull a private repository (pushers always may). */
  readers?: string[];
}

export interface TokenServerOptions {
  signing: SigningCertificate;
  /** Registry `service` name; the token's `aud`. */
  service: string;
  /** Token `iss`; the registry's `issuer`. */
  issuer: string;
  /** username -> password. */
  users: Record<string, string>;
  /** Users allowed to push (and pull) every repository. Default: ['pusher']. */
  pushers?: string[];
  /** Repository name (without host) -> policy. Unlisted repositories are private with no readers. */
  repositories: Record<string, RepositoryPolicy>;
  /**
   * What a request gets when *none* of its requested actions is granted.
   * 'empty-token' (distribution's reference behaviour): 200 with an empty
   * `access`, and the registry then refuses; the engine reports
   * "pull access denied ... may require 'docker login'".
   * 'unauthorized' / 'denied': 401 / 403 from the token endpoint itself; the
   * engine reports `unauthorized` / `denied`, ghcr's forms.
   */
  denial?: 'empty-token' | 'unauthorized' | 'denied';
  /** Token lifetime. Default 300 s. */
  ttlSeconds?: number;
}

/** One recorded token request. */
export interface TokenRequestRecord {
  at: string;
  method: string;
  path: string;
  service: string | null;
  account: string | null;
  scopes: string[];
  /** The Basic-auth username when one was sent (whether or not it was valid). */
  username: string | null;
  /** True when no credentials were sent. */
  anonymous: boolean;
  /** `grant_type` of an OAuth2 POST (`refresh_token`, `password`); null for a GET. */
  grantType: string | null;
  /** `client_id` the client named itself by (`docker` for the engine), if any. */
  clientId: string | null;
  status: number;
  granted: Access[];
}

export interface TokenServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The registry's `auth.token.realm`. */
  realm: string;
  service: string;
  issuer: string;
  /** The registry's `auth.token.rootcertbundle`. */
  rootCertBundle: string;
  requests(): TokenRequestRecord[];
  clearRequests(): void;
  stop(): Promise<void>;
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const records: TokenRequestRecord[] = [];
  /** refresh token -> user. */
  const refreshTokens = new Map<string, string>();
  const server = createServer((request, response) => {
    const fail = (error: unknown) =>
      reply(response, 500, { errors: [{ code: 'UNKNOWN', message: String(error) }] });
    try {
      route(options, { records, refreshTokens }, request, response).catch(fail);
    } catch (error) {
      fail(error);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    realm: `${url}/token`,
    service: options.service,
    issuer: options.issuer,
    rootCertBundle: options.signing.certPath,
    requests: () => structuredClone(records),
    clearRequests: () => {
      records.length = 0;
    },
    stop: () => closeServer(server),
  };
}

interface TokenState {
  records: TokenRequestRecord[];
  refreshTokens: Map<string, string>;
}

async function route(
  options: TokenServerOptions,
  { records, refreshTokens }: TokenState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://token.invalid');
  if (url.pathname === '/token' && request.method === 'GET') {
    records.push(issueToken(options, request, url, response, refreshTokens));
  } else if (url.pathname === '/token' && request.method === 'POST') {
    const form = new URLSearchParams(await readBody(request));
    records.push(issueOAuthToken(options, form, response, refreshTokens));
  } else if (url.pathname === '/requests' && request.method === 'GET') {
    reply(response, 200, records);
  } else if (url.pathname === '/requests' && request.method === 'DELETE') {
    records.length = 0;
    reply(response, 204, undefined);
  } else {
    reply(response, 404, { errors: [{ code: 'NOT_FOUND', message: `${request.method} ${url.pathname}` }] });
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Answers one OAuth2 `POST /token` (form-encoded `grant_type`, `service`,
 * `scope`, and `refresh_token` or `username`/`password`), as distribution's
 * clients send it when they hold an identity token.
 */
function issueOAuthToken(
  options: TokenServerOptions,
  form: URLSearchParams,
  response: ServerResponse,
  refreshTokens: Map<string, string>,
): TokenRequestRecord {
  const grantType = form.get('grant_type');
  const scopes = form.getAll('scope').flatMap((scope) => scope.split(' ').filter(Boolean));
  let user: string | undefined;
  if (grantType === 'refresh_token') user = refreshTokens.get(form.get('refresh_token') ?? '');
  else if (grantType === 'password') {
    const username = form.get('username') ?? '';
    if (passwordMatches(options.users[username], form.get('password') ?? '')) user = username;
  }
  const record: TokenRequestRecord = {
    at: new Date().toISOString(),
    method: 'POST',
    path: '/token',
    service: form.get('service'),
    account: null,
    scopes,
    username: user ?? form.get('username'),
    anonymous: false,
    grantType,
    clientId: form.get('client_id'),
    status: 0,
    granted: [],
  };
  if (user === undefined) {
    record.status = reply(response, 401, { error: 'invalid_grant' });
    return record;
  }
  return grant(options, record, user, response, refreshTokens, grantType === 'password');
}

/** Answers one `GET /token` and returns what to record about it. */
function issueToken(
  options: TokenServerOptions,
  request: IncomingMessage,
  url: URL,
  response: ServerResponse,
  refreshTokens: Map<string, string>,
): TokenRequestRecord {
  const credentials = basicCredentials(request.headers.authorization);
  const scopes = url.searchParams.getAll('scope').flatMap((scope) => scope.split(' ').filter(Boolean));
  const record: TokenRequestRecord = {
    at: new Date().toISOString(),
    method: request.method ?? 'GET',
    path: url.pathname,
    service: url.searchParams.get('service'),
    account: url.searchParams.get('account'),
    scopes,
    username: credentials?.username ?? null,
    anonymous: credentials === undefined,
    grantType: null,
    clientId: url.searchParams.get('client_id'),
    status: 0,
    granted: [],
  };

  if (credentials && !passwordMatches(options.users[credentials.username], credentials.password)) {
    // Bad credentials are refused outright, as docker login expects.
    response.setHeader('WWW-Authenticate', `Basic realm="${options.service}"`);
    record.status = reply(response, 401, {
      errors: [{ code: 'UNAUTHORIZED', message: 'invalid credentials' }],
    });
    return record;
  }

  const offline = url.searchParams.get('offline_token') === 'true' && credentials !== undefined;
  return grant(options, record, credentials?.username, response, refreshTokens, offline);
}

/** Grants what `user` may have of the record's scopes; with `offline`, a refresh token too. */
function grant(
  options: TokenServerOptions,
  record: TokenRequestRecord,
  user: string | undefined,
  response: ServerResponse,
  refreshTokens: Map<string, string>,
  offline: boolean,
): TokenRequestRecord {
  const { scopes } = record;
  const requested = scopes.map(parseScope).filter((access): access is Access => access !== undefined);
  const granted = requested
    .map((access) => ({
      ...access,
      actions: access.actions.filter((action) => allowed(options, user, access, action)),
    }))
    .filter((access) => access.actions.length > 0);

  const denial = options.denial ?? 'empty-token';
  if (requested.length > 0 && granted.length === 0 && denial !== 'empty-token') {
    const [status, code] = denial === 'denied' ? [403, 'DENIED'] : [401, 'UNAUTHORIZED'];
    record.status = reply(response, status, {
      errors: [{ code, message: `access to ${scopes.join(' ')} ${code.toLowerCase()}` }],
    });
    return record;
  }

  const ttl = options.ttlSeconds ?? 300;
  const claims = tokenClaims({
    issuer: options.issuer,
    service: options.service,
    subject: user ?? '',
    access: granted,
    ttlSeconds: ttl,
  });
  const token = signRs256(claims, options.signing.privateKey, options.signing.keyId);
  record.granted = granted;
  let refreshToken: string | undefined;
  if (offline && user !== undefined) {
    refreshToken = randomBytes(24).toString('base64url');
    refreshTokens.set(refreshToken, user);
  }
  record.status = reply(response, 200, {
    token,
    access_token: token,
    expires_in: ttl,
    issued_at: new Date(claims.iat * 1000).toISOString(),
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
  });
  return record;
}

function allowed(
  options: TokenServerOptions,
  user: string | undefined,
  access: Access,
  action: string,
): boolean {
  if (access.type !== 'repository') return false;
  const isPusher = user !== undefined && (options.pushers ?? ['pusher']).includes(user);
  if (isPusher) return true;
  if (action !== 'pull') return false;
  const policy = options.repositories[access.name];
  if (!policy) return false;
  return policy.visibility === 'public' || (user !== undefined && (policy.readers ?? []).includes(user));
}

/**
 * `repository:stigmer/agent-runner:pull,push`. The name sits between the
 * first and the last colon: the type can carry a class (`repository(plugin)`)
 * but the name itself has no colon.
 */
function parseScope(scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  return {
    type,
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { username: decoded, password: '' };
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function passwordMatches(expected: string | undefined, given: string): boolean {
  if (expected === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function reply(response: ServerResponse, status: number, body: unknown): number {
  response.statusCode = status;
  if (body === undefined) {
    response.end();
  } else {
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify(body));
  }
  return status;
}

/** Closes the server, idle keep-alive connections included, so stop() does not hang. */
async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}
