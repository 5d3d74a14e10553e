import { homeFolder, NO_HOME } from '../home.js';
import { VERSION } from '../package-version.js';
import type { HookContext } from '../plugin/context.js';
import { definePlugin } from '../plugin/define.js';
import type { LoadedPlugin, StigmerPlugin } from '../plugin/types.js';
import {
  authFromEntry,
  dockerConfigPath,
  type LoadedDockerConfig,
  lookup,
  normaliseRegistry,
  parseDockerConfig,
  readDockerConfig,
} from './docker-config.js';
import { envTokenCredential, GHCR_TOKEN_VARIABLES } from './env-token.js';
import { askHelper } from './helper.js';
import type { Credential, CredentialRequest } from './types.js';

/** The name core's credential providers carry in traces and `--explain`. */
export const CREDENTIALS_PLUGIN = 'stigmer:credentials';

/**
 * Core's credential providers, tapped on the `credentials` hook after every
 * configured plugin, so a plugin's own provider answers first. In order:
 * for ghcr.io `GHCR_TOKEN` then `GITHUB_TOKEN`; then `DOCKER_AUTH_CONFIG`;
 * then the docker config file. Within a docker config, as the docker CLI:
 * `credHelpers` for the registry, else `credsStore`, else `auths`.
 * A missing or failing helper, or an unreadable config, is a warning and the
 * search goes on; with no answer the pull is anonymous. Sources in the
 * request's `exclude` (rejected by the registry) are skipped, so the next
 * one answers: a token the registry refused never hides a valid login.
 */
export function credentialsPlugin(): StigmerPlugin<unknown> {
  return definePlugin<unknown>({
    name: CREDENTIALS_PLUGIN,
    version: VERSION,
    apply(hooks) {
      hooks.credentials.tap((request, ctx) => findCredential(request, ctx));
    },
  });
}

/**
 * Core's providers as a loaded plugin, ready for `Pipeline.use` after the
 * configured plugins: what every host (the CLI's session, `runChain`) appends.
 */
export function loadedCredentialsPlugin(): LoadedPlugin {
  return {
    plugin: credentialsPlugin(),
    options: {},
    specifier: CREDENTIALS_PLUGIN,
    loadedFrom: 'builtin:@stigmer/core',
    index: -1,
  };
}

async function findCredential(
  request: CredentialRequest,
  ctx: HookContext<unknown>,
): Promise<Credential | undefined> {
  const { registry } = request;
  const exclude = request.exclude ?? [];
  const env = ctx.run.env;
  if (normaliseRegistry(registry) === 'ghcr.io') {
    const token = envTokenCredential(env, GHCR_TOKEN_VARIABLES, registry, exclude);
    if (token) return token;
  }
  for (const source of await dockerConfigs(env, ctx)) {
    const found = await fromDockerConfig(source, registry, ctx, exclude);
    if (found) return found;
  }
  const left = exclude.length > 0 ? ` left (the registry rejected ${exclude.join(', ')})` : '';
  ctx.note(`no credentials${left} for ${registry}: the pull is anonymous`, { reference: registry });
  return undefined;
}

/** `DOCKER_AUTH_CONFIG` first (explicit for this run), then the config file. */
async function dockerConfigs(
  env: Readonly<Record<string, string | undefined>>,
  ctx: HookContext<unknown>,
): Promise<LoadedDockerConfig[]> {
  const configs: LoadedDockerConfig[] = [];
  const inline = env.DOCKER_AUTH_CONFIG?.trim();
  if (inline) {
    try {
      configs.push({ config: parseDockerConfig(inline, 'DOCKER_AUTH_CONFIG'), origin: 'DOCKER_AUTH_CONFIG' });
    } catch (error) {
      ctx.log.warn(`${(error as Error).message}; ignored`);
    }
  }
  try {
    const file = await readDockerConfig(dockerConfigPath(env, homeFolder(env) ?? NO_HOME));
    if (file) configs.push(file);
  } catch (error) {
    ctx.log.warn(`${(error as Error).message}; ignored`);
  }
  return configs;
}

async function fromDockerConfig(
  { config, origin }: LoadedDockerConfig,
  registry: string,
  ctx: HookContext<unknown>,
  exclude: readonly string[],
): Promise<Credential | undefined> {
  const perRegistry = lookup(config.credHelpers, registry);
  const helpers: Array<{ name: string; source: string }> = [];
  if (perRegistry && typeof perRegistry[1] === 'string' && perRegistry[1]) {
    helpers.push({
      name: perRegistry[1],
      source: `docker-credential-${perRegistry[1]} (credHelpers["${perRegistry[0]}"] in ${origin})`,
    });
  } else if (typeof config.credsStore === 'string' && config.credsStore) {
    helpers.push({
      name: config.credsStore,
      source: `docker-credential-${config.credsStore} (credsStore in ${origin})`,
    });
  }
  for (const helper of helpers) {
    if (exclude.includes(helper.source)) continue;
    const answer = await askHelper(helper.name, registry, ctx.signal);
    if (answer.kind === 'found') return { source: helper.source, auth: answer.auth };
    if (answer.kind === 'failed') {
      ctx.log.warn(`${answer.reason}; no credentials from ${helper.source}, continuing without them`);
    }
  }
  const entry = lookup(config.auths, registry);
  const auth = entry ? authFromEntry(entry[1], registry) : undefined;
  const source = entry ? `${origin} auths["${entry[0]}"]` : '';
  if (entry && auth && !exclude.includes(source)) return { source, auth };
  return undefined;
}
