import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectDir, stigmer } from '../cli/run.js';
import { clearTokenRequests, harness, tokenRequests } from '../harness/context.js';
import { cleanupImages, FAST_PULL, imageId, localTag, made, stigmerrc } from './helpers.js';

/**
 * Credentials against the ghcr-like token registry: each source supplies the
 * private repository's reader, `--explain` names the source per registry, a
 * missing helper or a rejected login falls back to anonymous, and a canary
 * secret planted in every source never reaches any output.
 */

afterEach(cleanupImages);

const PRIVATE = { repository: 'stigmer/private-runner', tag: '0.1.0' };
const PUBLIC = { repository: 'stigmer/agent-runner', tag: 'latest' };
const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

/** A `docker-credential-<name>` on PATH that answers with this user and secret. */
async function helperBin(dir: string, name: string, username: string, secret: string): Promise<string> {
  const bin = path.join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  const file = path.join(bin, `docker-credential-${name}`);
  await writeFile(
    file,
    `#!/bin/sh\nread server\nprintf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$server" '${username}' '${secret}'\n`,
  );
  await chmod(file, 0o755);
  return bin;
}

/** ghcr plugin options that name the token registry as a host for the GitHub token. */
const TOKEN_HOST = () => ({ githubTokenHosts: [harness().tokenRegistry] });

async function pull(
  image: { repository: string; tag: string; githubTokenHosts?: string[] },
  files: Record<string, string>,
  env: Record<string, string>,
  args: string[],
) {
  const registry = harness().tokenRegistry;
  const tag = localTag();
  const reference = `${registry}/${image.repository}:${image.tag}`;
  made.push(tag, reference);
  const cwd = await projectDir({ '.stigmerrc': stigmerrc(tag, { registry, ...image }, FAST_PULL), ...files });
  const resolvedEnv = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v.replaceAll('{cwd}', cwd)]),
  );
  const result = await stigmer(['image', 'pull', ...args], { cwd, env: resolvedEnv });
  return { ...result, tag, reference, cwd };
}

describe('each credential source pulls the private image, and --explain names it', () => {
  const { reader } = harness().users;
  const registry = () => harness().tokenRegistry;

  it('docker config auths ($DOCKER_CONFIG/config.json)', async () => {
    const config = JSON.stringify({
      auths: { [registry()]: { auth: basic(reader.username, reader.password) } },
    });
    const r = await pull(PRIVATE, { 'dc/config.json': config }, { DOCKER_CONFIG: '{cwd}/dc' }, ['--explain']);
    expect(r.stderr).not.toContain('warning');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `credentials\\s+stigmer:credentials\\s+resolved\\s+\\S+\\s+credentials from ${rx(`${r.cwd}/dc/config.json auths["${registry()}"]`)}\n`,
      ),
    );
    expect(await imageId(r.tag)).toBe(harness().testImage.id);
  });

  it('a credential helper named by credHelpers (~/.docker/config.json)', async () => {
    const dir = await projectDir();
    const bin = await helperBin(dir, 'stigmertest', reader.username, reader.password);
    const config = JSON.stringify({ credHelpers: { [registry()]: 'stigmertest' } });
    const r = await pull(PRIVATE, { '.docker/config.json': config }, { PATH: `${bin}:${process.env.PATH}` }, [
      '--explain',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      `credentials from docker-credential-stigmertest (credHelpers["${registry()}"] in ${r.cwd}/.docker/config.json)`,
    );
  });

  it('a credsStore helper, from DOCKER_AUTH_CONFIG', async () => {
    const dir = await projectDir();
    const bin = await helperBin(dir, 'stigmerstore', reader.username, reader.password);
    const r = await pull(
      PRIVATE,
      {},
      {
        PATH: `${bin}:${process.env.PATH}`,
        DOCKER_AUTH_CONFIG: JSON.stringify({ credsStore: 'stigmerstore' }),
      },
      ['--explain'],
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      `credentials from docker-credential-stigmerstore (credsStore in DOCKER_AUTH_CONFIG)`,
    );
  });

  it('GHCR_TOKEN, through the ghcr plugin for a host named in githubTokenHosts', async () => {
    const r = await pull(
      { ...PRIVATE, ...TOKEN_HOST() },
      {},
      { GHCR_TOKEN: reader.password, GITHUB_ACTOR: reader.username },
      ['--explain'],
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/credentials\s+stigmer:ghcr\s+resolved\s+\S+\s+credentials from GHCR_TOKEN\n/);
    // The plugin answered first: core's providers were not asked.
    expect(r.stdout).not.toContain('stigmer:credentials');
  });

  it('GITHUB_TOKEN when GHCR_TOKEN is not set', async () => {
    const r = await pull(
      { ...PRIVATE, ...TOKEN_HOST() },
      {},
      { GITHUB_TOKEN: reader.password, GITHUB_ACTOR: reader.username },
      ['--explain'],
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`credentials from GITHUB_TOKEN`);
  });
});

describe('falling back to anonymous', () => {
  it('a missing credential helper is a warning, and a public image still pulls', async () => {
    const r = await pull(
      PUBLIC,
      { '.docker/config.json': JSON.stringify({ credsStore: 'nosuchhelper' }) },
      {},
      [],
    );
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(
      'warning: stigmer:credentials: docker-credential-nosuchhelper is not installed (not found on PATH); no credentials from docker-credential-nosuchhelper (credsStore in',
    );
    expect(await imageId(r.tag)).toBe(harness().testImage.id);
  });

  it('credentials the registry rejects are dropped for a public image, with a warning', async () => {
    const config = JSON.stringify({
      auths: { [harness().tokenRegistry]: { auth: basic('reader', 'wrong-password') } },
    });
    const r = await pull(PUBLIC, { '.docker/config.json': config }, {}, ['--explain']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(
      `warning: stigmer:ghcr: ${harness().tokenRegistry} rejected the credentials from ${r.cwd}/.docker/config.json auths["${harness().tokenRegistry}"]; trying anonymously\n`,
    );
    expect(r.stdout).toContain(
      `pulled ${r.reference} (anonymously, after the registry rejected credentials from ${r.cwd}/.docker/config.json auths["${harness().tokenRegistry}"])`,
    );
  });

  it('rejected credentials for a private image: exit 7 naming both tries', async () => {
    const r = await pull({ ...PRIVATE, ...TOKEN_HOST() }, {}, { GHCR_TOKEN: 'not-a-valid-token' }, [
      '--quiet',
    ]);
    expect(r.exitCode).toBe(7);
    expect(r.stderr.split('\n')[0]).toBe(
      `The registry refused to let stigmer pull ${r.reference}: it needs credentials, or the repository does not exist (tried credentials from GHCR_TOKEN, then anonymously).`,
    );
  });
});

describe('a canary secret in every credential source', () => {
  const CANARY = 'canary-5ecret-7f3a9b';

  async function canaryFiles() {
    const dir = await projectDir();
    const bin = await helperBin(dir, 'canary', 'reader', CANARY);
    const registry = harness().tokenRegistry;
    const dockerConfig = JSON.stringify({
      auths: {
        [registry]: { auth: basic('reader', CANARY) },
        'other.example': { auth: basic('someone', CANARY), identitytoken: CANARY },
      },
      credHelpers: { 'helper.example': 'canary' },
    });
    return {
      files: { '.docker/config.json': dockerConfig },
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        DOCKER_AUTH_CONFIG: JSON.stringify({
          credHelpers: { [registry]: 'canary' },
          auths: { x: { auth: basic('u', CANARY) } },
        }),
        GITHUB_TOKEN: CANARY,
        GHCR_TOKEN: CANARY,
        GITHUB_ACTOR: 'reader',
      },
    };
  }

  for (const image of [PUBLIC, PRIVATE]) {
    for (const args of [['--explain'], ['--json'], ['--debug'], ['--explain', '--debug']]) {
      it(`never appears with ${args.join(' ')} (${image.repository})`, async () => {
        const { files, env } = await canaryFiles();
        const r = await pull({ ...image, ...TOKEN_HOST() }, files, env, args);
        expect(r.exitCode).toBe(image === PUBLIC ? 0 : 7);
        expect(`${r.stdout}\n${r.stderr}`).not.toContain(CANARY);
        // The canary was really used: the ghcr plugin's GHCR_TOKEN answered and was rejected.
        expect(`${r.stdout}${r.stderr}`).toContain('GHCR_TOKEN');
      });
    }
  }

  it('never appears when DOCKER_AUTH_CONFIG is malformed around it', async () => {
    const r = await pull(PUBLIC, {}, { DOCKER_AUTH_CONFIG: `{"auths": {"x": ${CANARY}}` }, [
      '--explain',
      '--debug',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('warning: stigmer:credentials: DOCKER_AUTH_CONFIG is not valid JSON; ignored');
    expect(`${r.stdout}\n${r.stderr}`).not.toContain(CANARY);
  });
});

function rx(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('credentials go only where they belong', () => {
  const { reader } = harness().users;
  const registry = () => harness().tokenRegistry;
  const GITHUB_TOKEN = 'ghp_canary0123456789abcdefghijklmn';
  const dockerLogin = (password = reader.password) =>
    JSON.stringify({ auths: { [registry()]: { auth: basic(reader.username, password) } } });

  it("a GitHub token in the environment is not sent to a registry not named for it; that registry's docker login is used", async () => {
    await clearTokenRequests();
    const r = await pull(
      PRIVATE,
      { '.docker/config.json': dockerLogin() },
      { GHCR_TOKEN: GITHUB_TOKEN, GITHUB_TOKEN },
      ['--explain'],
    );
    expect(r.stderr).not.toContain('warning');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`credentials from ${r.cwd}/.docker/config.json auths["${registry()}"]`);
    expect(r.stdout).not.toContain('GHCR_TOKEN');
    const requests = await tokenRequests();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((q) => q.username === reader.username && q.status === 200)).toBe(true);
    expect(`${r.stdout}${r.stderr}`).not.toContain(GITHUB_TOKEN);
  });

  it('a rejected GitHub token is followed by the next source before anonymous; --explain lists them in order', async () => {
    await clearTokenRequests();
    const r = await pull(
      { ...PRIVATE, ...TOKEN_HOST() },
      { '.docker/config.json': dockerLogin() },
      { GHCR_TOKEN: GITHUB_TOKEN },
      ['--explain'],
    );
    expect(r.exitCode).toBe(0);
    const config = `${r.cwd}/.docker/config.json auths["${registry()}"]`;
    expect(r.stderr.split('\n').filter((line) => line.startsWith('warning'))).toEqual([
      `warning: stigmer:ghcr: ${registry()} rejected the credentials from GHCR_TOKEN; trying credentials from ${config}`,
    ]);
    const lines = r.stdout.split('\n').filter((line) => /^\s+\d+\. credentials .* resolved /.test(line));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/stigmer:ghcr\s+resolved\s+\S+\s+credentials from GHCR_TOKEN$/);
    expect(lines[1]).toMatch(
      new RegExp(`stigmer:credentials\\s+resolved\\s+\\S+\\s+credentials from ${rx(config)}$`),
    );
    expect(r.stdout).toContain(
      `pulled ${r.reference} (with credentials from ${config}, after the registry rejected credentials from GHCR_TOKEN)`,
    );
    // The token server saw the GitHub token's user name refused, then the login granted.
    const users = (await tokenRequests()).map((q) => [q.username, q.status]);
    expect(users[0]).toEqual(['x-access-token', 401]);
    expect(users.at(-1)).toEqual([reader.username, 200]);
    expect(`${r.stdout}${r.stderr}`).not.toContain(GITHUB_TOKEN);
  });

  it('every source rejected: anonymous last, and exit 7 naming each try in order', async () => {
    const r = await pull(
      { ...PRIVATE, ...TOKEN_HOST() },
      { '.docker/config.json': dockerLogin('wrong-password') },
      { GHCR_TOKEN: GITHUB_TOKEN, GITHUB_TOKEN: `${GITHUB_TOKEN}2` },
      ['--quiet'],
    );
    expect(r.exitCode).toBe(7);
    const config = `${r.cwd}/.docker/config.json auths["${registry()}"]`;
    expect(r.stderr.split('\n')[0]).toBe(
      `The registry refused to let stigmer pull ${r.reference}: it needs credentials, or the repository does not exist (tried credentials from GHCR_TOKEN, then credentials from GITHUB_TOKEN, then credentials from ${config}, then anonymously).`,
    );
    expect(await imageId(r.tag)).toBeUndefined();
  });
});
