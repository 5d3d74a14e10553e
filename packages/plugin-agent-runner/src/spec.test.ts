import { describe, expect, it } from 'vitest';
import { containerAddress } from './host-address.js';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import { agentRunnerSpec, unreachableAddresses } from './spec.js';

const DEFAULT_LLM = { provider: 'ollama', model: 'qwen2.5-coder:7b', baseUrl: 'http://localhost:11434' };

const seed = {
  name: 'stigmer-agent-runner',
  image: 'stigmer-agent-runner:local',
  env: {},
  labels: {},
  mounts: [],
};

describe('the agent-runner container spec', () => {
  it('is the original docker run on Linux: environment, volumes, restart policy, host network, log rotation', () => {
    const spec = agentRunnerSpec(seed, {
      options: DEFAULT_OPTIONS,
      env: {},
      llm: DEFAULT_LLM,
      platform: 'linux',
      dataDir: '/home/u/.stigmer/data',
    });
    expect(spec).toEqual({
      name: 'stigmer-agent-runner',
      image: 'stigmer-agent-runner:local',
      env: {
        MODE: 'local',
        STIGMER_BACKEND_ENDPOINT: 'localhost:7234',
        TEMPORAL_SERVICE_ADDRESS: 'localhost:7233',
        TEMPORAL_NAMESPACE: 'default',
        TASK_QUEUE: 'agent_execution_runner',
        SANDBOX_TYPE: 'filesystem',
        WORKSPACE_ROOT: '/workspace',
        LOG_LEVEL: 'DEBUG',
        STIGMER_LLM_PROVIDER: 'ollama',
        STIGMER_LLM_MODEL: 'qwen2.5-coder:7b',
        STIGMER_LLM_BASE_URL: 'http://localhost:11434',
        OLLAMA_BASE_URL: 'http://localhost:11434',
      },
      labels: {},
      mounts: [
        { source: '/home/u/.stigmer/data/workspace', target: '/workspace' },
        { source: '/home/u/.stigmer/data/artifacts', target: '/artifacts' },
      ],
      networkMode: 'host',
      restartPolicy: 'unless-stopped',
      log: { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } },
      secretEnv: [],
    });
  });

  it('passes the API keys from the environment, marked secret, and the LLM settings with OLLAMA_BASE_URL', () => {
    const spec = agentRunnerSpec(seed, {
      options: DEFAULT_OPTIONS,
      env: { ANTHROPIC_API_KEY: 'sk-ant-1', OPENAI_API_KEY: '' },
      llm: { provider: 'ollama', model: 'qwen', baseUrl: 'http://localhost:11434' },
      platform: 'linux',
      dataDir: '/d',
    });
    expect(spec.env).toMatchObject({
      ANTHROPIC_API_KEY: 'sk-ant-1',
      STIGMER_LLM_PROVIDER: 'ollama',
      STIGMER_LLM_MODEL: 'qwen',
      STIGMER_LLM_BASE_URL: 'http://localhost:11434',
      OLLAMA_BASE_URL: 'http://localhost:11434',
    });
    // An empty variable is not passed at all.
    expect(spec.env).not.toHaveProperty('OPENAI_API_KEY');
    expect(spec.secretEnv).toEqual(['ANTHROPIC_API_KEY']);
  });

  it('rewrites loopback addresses to host.docker.internal and drops host networking on macOS and Windows', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const spec = agentRunnerSpec(seed, {
        options: DEFAULT_OPTIONS,
        env: {},
        llm: { baseUrl: 'http://127.0.0.1:11434/v1' },
        platform,
        dataDir: '/d',
      });
      expect(spec.networkMode).toBeUndefined();
      expect(spec.env.STIGMER_BACKEND_ENDPOINT).toBe('host.docker.internal:7234');
      expect(spec.env.TEMPORAL_SERVICE_ADDRESS).toBe('host.docker.internal:7233');
      expect(spec.env.OLLAMA_BASE_URL).toBe('http://host.docker.internal:11434/v1');
    }
  });

  it('leaves other hosts alone and rewrites nothing on Linux', () => {
    expect(containerAddress('temporal.internal:7233', 'darwin')).toBe('temporal.internal:7233');
    expect(containerAddress('localhostess:1', 'darwin')).toBe('localhostess:1');
    expect(containerAddress('http://user@localhost:1', 'win32')).toBe('http://user@host.docker.internal:1');
    expect(containerAddress('localhost:7234', 'linux')).toBe('localhost:7234');
  });

  it('applies options: endpoints, log level, extra env over defaults, extra secrets, command, user, init', () => {
    const spec = agentRunnerSpec(
      {
        ...seed,
        env: { FROM_EARLIER: '1' },
        mounts: [{ source: '/x', target: '/x' }],
        secretEnv: ['EARLIER'],
      },
      {
        options: {
          ...DEFAULT_OPTIONS,
          backendEndpoint: 'backend:1',
          temporalAddress: 'temporal:2',
          logLevel: 'INFO',
          env: { LOG_LEVEL: 'WARN', EXTRA: 'yes' },
          secretEnv: ['GITHUB_TOKEN'],
          command: ['sh', '-c', 'sleep 1'],
          user: '1000:1000',
          init: true,
          hostNetwork: false,
        },
        env: { GITHUB_TOKEN: 'ghp_1' },
        llm: {},
        platform: 'linux',
        dataDir: '/d',
      },
    );
    expect(spec.env).toMatchObject({
      FROM_EARLIER: '1',
      STIGMER_BACKEND_ENDPOINT: 'backend:1',
      TEMPORAL_SERVICE_ADDRESS: 'temporal:2',
      LOG_LEVEL: 'WARN',
      EXTRA: 'yes',
      GITHUB_TOKEN: 'ghp_1',
    });
    expect(spec.secretEnv).toEqual(['EARLIER', 'GITHUB_TOKEN']);
    expect(spec.mounts.map((m) => m.target)).toEqual(['/x', '/workspace', '/artifacts']);
    expect(spec).toMatchObject({ command: ['sh', '-c', 'sleep 1'], user: '1000:1000', init: true });
    expect(spec.networkMode).toBeUndefined();
  });

  it('without host networking on Linux, names the loopback addresses the container cannot reach', () => {
    const inputs = { llm: DEFAULT_LLM, platform: 'linux' as const };
    expect(unreachableAddresses({ ...inputs, options: { ...DEFAULT_OPTIONS, hostNetwork: false } })).toEqual([
      { setting: 'backendEndpoint', value: 'localhost:7234' },
      { setting: 'temporalAddress', value: 'localhost:7233' },
      { setting: 'llm.baseUrl', value: 'http://localhost:11434' },
    ]);
    expect(
      unreachableAddresses({
        ...inputs,
        options: {
          ...DEFAULT_OPTIONS,
          hostNetwork: false,
          backendEndpoint: 'backend:1',
          temporalAddress: '10.0.0.5:7233',
        },
      }),
    ).toEqual([{ setting: 'llm.baseUrl', value: 'http://localhost:11434' }]);
    // Host networking, the gateway entry, or Docker Desktop's own alias: all reachable.
    expect(unreachableAddresses({ ...inputs, options: DEFAULT_OPTIONS })).toEqual([]);
    expect(
      unreachableAddresses({
        ...inputs,
        options: { ...DEFAULT_OPTIONS, hostNetwork: false, hostGateway: true },
      }),
    ).toEqual([]);
    expect(unreachableAddresses({ ...inputs, platform: 'darwin', options: DEFAULT_OPTIONS })).toEqual([]);
  });

  it('hostGateway: adds the host-gateway entry and reaches the host as host.docker.internal', () => {
    const spec = agentRunnerSpec(seed, {
      options: { ...DEFAULT_OPTIONS, hostNetwork: false, hostGateway: true },
      env: {},
      llm: DEFAULT_LLM,
      platform: 'linux',
      dataDir: '/d',
    });
    expect(spec.networkMode).toBeUndefined();
    expect(spec.extraHosts).toEqual(['host.docker.internal:host-gateway']);
    expect(spec.env).toMatchObject({
      STIGMER_BACKEND_ENDPOINT: 'host.docker.internal:7234',
      TEMPORAL_SERVICE_ADDRESS: 'host.docker.internal:7233',
      OLLAMA_BASE_URL: 'http://host.docker.internal:11434',
    });
    // With host networking the entry would point away from services on 127.0.0.1: not added.
    const host = agentRunnerSpec(seed, {
      options: { ...DEFAULT_OPTIONS, hostGateway: true },
      env: {},
      llm: DEFAULT_LLM,
      platform: 'linux',
      dataDir: '/d',
    });
    expect(host.extraHosts).toBeUndefined();
    expect(host.env.STIGMER_BACKEND_ENDPOINT).toBe('localhost:7234');
  });
});
