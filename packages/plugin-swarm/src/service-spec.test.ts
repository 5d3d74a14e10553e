import type { ContainerSpec } from '@stigmer/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from './option-defaults.js';
import { secretKeysOf } from './secrets.js';
import { restartCondition, SECRETS_WRAPPER, serviceSpec, volumeName } from './service-spec.js';

const spec: ContainerSpec = {
  name: 'stigmer-agent-runner',
  image: 'stigmer-agent-runner:local',
  env: { LOG_LEVEL: 'info', ANTHROPIC_API_KEY: 'sk-secret-value' },
  secretEnv: ['ANTHROPIC_API_KEY'],
  labels: { 'org.stigmer.managed-by': 'stigmer' },
  mounts: [{ source: '/home/me/.stigmer/data/workspace', target: '/workspace' }],
  restartPolicy: 'unless-stopped',
  networkMode: 'host',
  log: { driver: 'json-file', options: { 'max-size': '10m' } },
  command: ['agent-runner', '--serve'],
};

const inputs = {
  spec,
  image: '127.0.0.1:5000/stigmer/agent-runner@sha256:abc',
  entrypoint: ['/entrypoint.sh'],
  cmd: ['default-cmd'],
  secrets: [{ key: 'ANTHROPIC_API_KEY', id: 'sec1', name: 'stigmer-agent-runner-ANTHROPIC_API_KEY-0123' }],
  options: { ...DEFAULT_OPTIONS, replicas: 3 },
  stopTimeoutSeconds: 10,
  forceUpdate: 2,
};

describe('serviceSpec', () => {
  it('leaves secret values out of the service spec and mounts them as Swarm secret files', () => {
    const built = serviceSpec(inputs);
    expect(JSON.stringify(built)).not.toContain('sk-secret-value');
    const container = (built.TaskTemplate as { ContainerSpec: Record<string, unknown> }).ContainerSpec;
    expect(container.Env).toEqual(['LOG_LEVEL=info']);
    expect(container.Secrets).toEqual([
      {
        SecretID: 'sec1',
        SecretName: 'stigmer-agent-runner-ANTHROPIC_API_KEY-0123',
        File: { Name: 'stigmer-env.ANTHROPIC_API_KEY', UID: '0', GID: '0', Mode: 0o444 },
      },
    ]);
  });

  it('names the secret variables of a spec it built, for server logs to mask (and nothing for a spec without secrets)', () => {
    expect(secretKeysOf(serviceSpec(inputs))).toEqual(['ANTHROPIC_API_KEY']);
    expect(secretKeysOf(serviceSpec({ ...inputs, secrets: [] }))).toEqual([]);
    expect(secretKeysOf(undefined)).toEqual([]);
  });

  it("wraps the image's entrypoint so the secrets become environment variables, then runs the spec's command", () => {
    const container = (serviceSpec(inputs).TaskTemplate as { ContainerSpec: Record<string, unknown> })
      .ContainerSpec;
    expect(container.Command).toEqual([
      '/bin/sh',
      '-c',
      SECRETS_WRAPPER,
      'stigmer-secrets',
      '/entrypoint.sh',
    ]);
    expect(container.Args).toEqual(['agent-runner', '--serve']);
  });

  it('runs the image by digest, replicated, with the update order and a rollback on failure', () => {
    const built = serviceSpec(inputs) as Record<string, Record<string, unknown>>;
    expect(built.TaskTemplate?.ContainerSpec).toMatchObject({ Image: inputs.image });
    expect(built.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(built.UpdateConfig).toMatchObject({
      Order: 'start-first',
      Parallelism: 1,
      FailureAction: 'rollback',
    });
    expect(built.TaskTemplate?.ForceUpdate).toBe(2);
    expect(built.TaskTemplate?.Networks).toEqual([{ Target: 'host' }]);
    expect(built.TaskTemplate?.RestartPolicy).toMatchObject({ Condition: 'any' });
  });

  it("turns this machine's bind mounts into node-local volumes", () => {
    const container = (serviceSpec(inputs).TaskTemplate as { ContainerSpec: { Mounts: unknown[] } })
      .ContainerSpec;
    expect(container.Mounts).toEqual([
      { Type: 'volume', Source: 'stigmer-agent-runner-workspace', Target: '/workspace', ReadOnly: false },
    ]);
    expect(volumeName('svc', '/var/lib/x/')).toBe('svc-var-lib-x');
  });

  it('maps restart policies to Swarm conditions', () => {
    expect(restartCondition('no')).toBe('none');
    expect(restartCondition('on-failure')).toBe('on-failure');
    expect(restartCondition('always')).toBe('any');
  });
});
