import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { escapeRegExp } from '../harness/regexp.js';
import {
  cleanupFixtures,
  inspect,
  removeServerImage,
  runStigmer,
  type ServerFixture,
  serverFixture,
} from './helpers.js';

afterEach(cleanupFixtures);
afterAll(removeServerImage);

/**
 * The LLM settings reach the container as the original CLI passed them:
 * always, from the environment, else the original's `~/.stigmer/config.yaml`
 * (`backend.local.llm.*`), else its defaults; asserted on the container the
 * engine runs (`docker inspect`), and `config print` says where each came from.
 * `HOME` is each fixture's own folder.
 */

const DEFAULTS = {
  STIGMER_LLM_PROVIDER: 'ollama',
  STIGMER_LLM_MODEL: 'qwen2.5-coder:7b',
  STIGMER_LLM_BASE_URL: 'http://localhost:11434',
  OLLAMA_BASE_URL: 'http://localhost:11434',
};

/** The original CLI's config file, with keys stigmer ignores around the three it reads. */
const ORIGINAL_CONFIG = `backend:
  type: local
  local:
    data_dir: /somewhere/else
    llm:
      provider: anthropic
      model: claude-sonnet-4
      base_url: http://llm.internal:8080
      api_key_ref: keychain
    temporal:
      managed: true
  cloud:
    endpoint: api.stigmer.ai:443
context:
  organization: acme
`;

async function writeOriginalConfig(f: ServerFixture, content: string): Promise<string> {
  const file = path.join(f.cwd, '.stigmer', 'config.yaml');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

/** The container's LLM variables, from the engine. */
async function llmEnv(f: ServerFixture): Promise<Record<string, string>> {
  const env = (await inspect(f.name))?.Config.Env ?? [];
  return Object.fromEntries(
    env
      .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])
      .filter(([k]) => k !== undefined && k in DEFAULTS),
  );
}

/** `config print` rows of the llm settings, spaces collapsed. */
async function llmRows(f: ServerFixture, env: Record<string, string> = {}): Promise<string[]> {
  const printed = await runStigmer(f, ['config', 'print'], env);
  expect(printed.exitCode).toBe(0);
  return printed.stdout
    .split('\n')
    .filter((l) => l.startsWith('llm.'))
    .map((l) => l.replace(/\s+/g, ' '));
}

describe('LLM settings', () => {
  it('defaults: ollama, qwen2.5-coder:7b, http://localhost:11434, always passed', async () => {
    const f = await serverFixture();
    const started = await runStigmer(f, ['server', 'start']);
    expect(started.exitCode).toBe(0);
    expect(await llmEnv(f)).toEqual(DEFAULTS);
    expect(await llmRows(f)).toEqual([
      'llm.provider ollama (built-in default)',
      'llm.model qwen2.5-coder:7b (built-in default)',
      'llm.baseUrl http://localhost:11434 (built-in default)',
    ]);
  });

  it("from the original's ~/.stigmer/config.yaml (backend.local.llm), its other keys ignored", async () => {
    const f = await serverFixture();
    const file = await writeOriginalConfig(f, ORIGINAL_CONFIG);
    const started = await runStigmer(f, ['server', 'start']);
    expect(started.stderr).toBe('');
    expect(started.exitCode).toBe(0);
    expect(await llmEnv(f)).toEqual({
      STIGMER_LLM_PROVIDER: 'anthropic',
      STIGMER_LLM_MODEL: 'claude-sonnet-4',
      STIGMER_LLM_BASE_URL: 'http://llm.internal:8080',
      OLLAMA_BASE_URL: 'http://llm.internal:8080',
    });
    expect(await llmRows(f)).toEqual([
      `llm.provider anthropic (file ${file})`,
      `llm.model claude-sonnet-4 (file ${file})`,
      `llm.baseUrl http://llm.internal:8080 (file ${file})`,
    ]);
  });

  it('the environment wins over that file, value by value', async () => {
    const f = await serverFixture();
    const file = await writeOriginalConfig(f, ORIGINAL_CONFIG);
    const env = { STIGMER_LLM_MODEL: 'llama3.1:8b', STIGMER_LLM_BASE_URL: 'http://127.0.0.1:11500' };
    expect((await runStigmer(f, ['server', 'start'], env)).exitCode).toBe(0);
    expect(await llmEnv(f)).toEqual({
      STIGMER_LLM_PROVIDER: 'anthropic',
      STIGMER_LLM_MODEL: 'llama3.1:8b',
      STIGMER_LLM_BASE_URL: 'http://127.0.0.1:11500',
      OLLAMA_BASE_URL: 'http://127.0.0.1:11500',
    });
    expect(await llmRows(f, env)).toEqual([
      `llm.provider anthropic (file ${file})`,
      'llm.model llama3.1:8b (env STIGMER_LLM_MODEL)',
      'llm.baseUrl http://127.0.0.1:11500 (env STIGMER_LLM_BASE_URL)',
    ]);
  });

  it('a broken ~/.stigmer/config.yaml is a warning, never a failure: the defaults apply', async () => {
    const f = await serverFixture();
    const file = await writeOriginalConfig(f, 'backend: [unclosed\n  llm: {');
    const started = await runStigmer(f, ['server', 'start']);
    expect(started.exitCode).toBe(0);
    expect(started.stderr).toMatch(
      new RegExp(`^warning: stigmer: ${escapeRegExp(file)} could not be read \\(.+\\); ignored\\n$`),
    );
    expect(await llmEnv(f)).toEqual(DEFAULTS);
  });
});

describe('hostNetwork: false on Linux', () => {
  it('warns that the container cannot reach the loopback addresses, and suggests host.docker.internal', async () => {
    const f = await serverFixture({ agentRunner: { hostNetwork: false } });
    const started = await runStigmer(f, ['server', 'start']);
    expect(started.exitCode).toBe(0);
    expect(started.stderr).toBe(
      `warning: stigmer:agent-runner: hostNetwork is false, so the agent-runner container has a network of its own and cannot reach localhost:7234 (backendEndpoint), localhost:7233 (temporalAddress), http://localhost:11434 (llm.baseUrl): inside it, localhost is the container itself. Use host.docker.internal instead, which Linux engines resolve only with \`--add-host host.docker.internal:host-gateway\`: set the agent-runner option \`hostGateway: true\` and stigmer adds that entry and uses host.docker.internal in these addresses (the services must then listen on an address the container can reach, not only 127.0.0.1).\n`,
    );
    const info = await inspect(f.name);
    expect(info?.HostConfig.NetworkMode).not.toBe('host');
    expect(info?.HostConfig.ExtraHosts ?? null).toBeNull();
  });

  it('with hostGateway: true, adds host.docker.internal:host-gateway and uses it in every loopback address', async () => {
    const f = await serverFixture({ agentRunner: { hostNetwork: false, hostGateway: true } });
    const started = await runStigmer(f, ['server', 'start']);
    expect(started.stderr).toBe('');
    expect(started.exitCode).toBe(0);
    const info = await inspect(f.name);
    expect(info?.HostConfig.ExtraHosts).toEqual(['host.docker.internal:host-gateway']);
    expect(info?.Config.Env).toEqual(
      expect.arrayContaining([
        'STIGMER_BACKEND_ENDPOINT=host.docker.internal:7234',
        'TEMPORAL_SERVICE_ADDRESS=host.docker.internal:7233',
        'STIGMER_LLM_BASE_URL=http://host.docker.internal:11434',
        'OLLAMA_BASE_URL=http://host.docker.internal:11434',
      ]),
    );
    // The entry is part of the spec: a second start finds the container as it wants it.
    const again = await runStigmer(f, ['server', 'start']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('already running');
  });
});
