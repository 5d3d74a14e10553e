import type { ContainerSpec, ManifestRequest } from '@stigmer/core';
import { isStigmerError } from '@stigmer/core';
import { describe, expect, it } from 'vitest';
import { isLabelKey, isLabelValue, splitLabels } from './names.js';
import { type KubernetesObject, renderObjects } from './objects.js';
import { validateObjects } from './validate.js';

const KEY = 'sk-test-secret-value';

function request(
  overrides: Partial<ManifestRequest> = {},
  spec: Partial<ContainerSpec> = {},
): ManifestRequest {
  return {
    format: 'kubernetes',
    replicas: 2,
    replicasSource: '--replicas',
    includeSecrets: false,
    image: {
      reference: 'stigmer-agent-runner:local',
      id: `sha256:${'1'.repeat(64)}`,
      pullable: `registry.example/agent-runner@sha256:${'2'.repeat(64)}`,
      pullableSource: 'test',
      source: 'local engine',
      platform: 'linux/amd64',
      healthcheck: { test: ['CMD-SHELL', 'test -f /tmp/ready'], intervalNs: 5_000_000_000 },
    },
    spec: {
      name: 'stigmer-agent-runner',
      image: 'stigmer-agent-runner:local',
      env: { MODE: 'local', ANTHROPIC_API_KEY: KEY, LOG_LEVEL: 'DEBUG' },
      secretEnv: ['ANTHROPIC_API_KEY'],
      labels: {
        'org.stigmer.managed-by': 'stigmer',
        'org.stigmer.data-dir': '/home/me/.stigmer/data',
        'org.stigmer.spec': '{"env":{}}',
      },
      mounts: [
        { source: '/home/me/.stigmer/data/workspace', target: '/workspace' },
        { source: '/home/me/.stigmer/data/artifacts', target: '/artifacts', readOnly: true },
      ],
      restartPolicy: 'unless-stopped',
      networkMode: 'host',
      user: '1000:1000',
      ...spec,
    },
    ...overrides,
  };
}

const render = (r: ManifestRequest, options = {}) => renderObjects(r, options, r.image.pullable as string);
// biome-ignore lint/suspicious/noExplicitAny: the rendered object, read by path in the assertions
const deploymentOf = (objects: KubernetesObject[]) => objects.find((o) => o.kind === 'Deployment') as any;

describe('renderObjects', () => {
  it('renders a Deployment the Kubernetes schemas accept, with replicas, the pullable image, probes, resources and a numeric user', async () => {
    const { objects } = render(request(), {
      namespace: 'agents',
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    });
    await validateObjects(objects);
    const deployment = deploymentOf(objects);
    expect(deployment.metadata).toMatchObject({ name: 'stigmer-agent-runner', namespace: 'agents' });
    expect(deployment.spec.replicas).toBe(2);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe(`registry.example/agent-runner@sha256:${'2'.repeat(64)}`);
    expect(container.resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { memory: '1Gi' },
    });
    expect(container.livenessProbe.exec.command).toEqual(['/bin/sh', '-c', 'test -f /tmp/ready']);
    expect(container.securityContext).toEqual({ runAsUser: 1000, runAsGroup: 1000 });
    expect(deployment.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'agent-runner',
      'app.kubernetes.io/instance': 'stigmer-agent-runner',
    });
    expect(deployment.spec.template.metadata.labels).toEqual({
      ...deployment.spec.selector.matchLabels,
      'app.kubernetes.io/managed-by': 'stigmer',
    });
  });

  it('says when the image is not pinned by digest, and not when it is', () => {
    expect(render(request()).notes.join('\n')).not.toContain('not pinned');
    const { notes } = renderObjects(request(), {}, 'registry.example/agent-runner:v1');
    expect(notes.join('\n')).toContain('registry.example/agent-runner:v1 is not pinned by digest');
  });

  it('without includeSecrets: no Secret and no value anywhere, a secretKeyRef, and a note with the kubectl line', () => {
    const { objects, notes } = render(request());
    expect(objects.map((o) => o.kind)).toEqual(['Deployment']);
    expect(JSON.stringify(objects)).not.toContain(KEY);
    expect(notes.join('\n')).not.toContain(KEY);
    const env = deploymentOf(objects).spec.template.spec.containers[0].env;
    expect(env).toContainEqual({
      name: 'ANTHROPIC_API_KEY',
      valueFrom: { secretKeyRef: { name: 'stigmer-agent-runner-api-keys', key: 'ANTHROPIC_API_KEY' } },
    });
    expect(notes.join('\n')).toContain(
      'kubectl create secret generic stigmer-agent-runner-api-keys --from-literal=ANTHROPIC_API_KEY="$ANTHROPIC_API_KEY"',
    );
  });

  it('with includeSecrets: a valid Secret first, holding the value, read by the Deployment', async () => {
    const { objects } = render(request({ includeSecrets: true }), { secretName: 'runner-keys' });
    await validateObjects(objects);
    expect(objects.map((o) => o.kind)).toEqual(['Secret', 'Deployment']);
    expect(objects[0]).toMatchObject({
      metadata: { name: 'runner-keys' },
      stringData: { ANTHROPIC_API_KEY: KEY },
    });
  });

  it('keeps valid labels as labels and moves paths and JSON to annotations', () => {
    const deployment = deploymentOf(render(request()).objects);
    expect(deployment.metadata.labels['org.stigmer.managed-by']).toBe('stigmer');
    expect(deployment.metadata.annotations).toEqual({
      'org.stigmer.data-dir': '/home/me/.stigmer/data',
      'org.stigmer.spec': '{"env":{}}',
    });
  });

  it('turns the bind mounts into emptyDir volumes and says so, and notes host networking', () => {
    const { objects, notes } = render(request());
    const pod = deploymentOf(objects).spec.template.spec;
    expect(pod.volumes).toEqual([
      { name: 'workspace', emptyDir: {} },
      { name: 'artifacts', emptyDir: {} },
    ]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'workspace', mountPath: '/workspace' },
      { name: 'artifacts', mountPath: '/artifacts', readOnly: true },
    ]);
    expect(notes.join('\n')).toContain('emptyDir');
    expect(notes.join('\n')).toContain("host's network");
  });

  it('makes a Kubernetes name of a Docker container name', async () => {
    const { objects } = render(request({}, { name: 'My_Runner.2' }));
    await validateObjects(objects);
    expect(deploymentOf(objects).metadata.name).toBe('my-runner-2');
  });
});

describe('validateObjects', () => {
  it('refuses an object the schema does not accept with MANIFEST_INVALID naming the field', async () => {
    const deployment = deploymentOf(render(request()).objects);
    const broken = { ...deployment, spec: { ...deployment.spec, replicas: 'two' } };
    const error = await validateObjects([broken]).catch((e: unknown) => e);
    expect(isStigmerError(error) && error.code).toBe('MANIFEST_INVALID');
    expect((error as Error).message).toContain('spec.replicas must be integer');
    expect((error as { details: { fields: string[] } }).details.fields).toEqual(['spec.replicas']);
  });

  it('names a field deep in the pod template, and a kind it cannot check', async () => {
    const deployment = deploymentOf(render(request()).objects);
    deployment.spec.template.spec.containers[0].livenessProbe.periodSeconds = '5s';
    await expect(validateObjects([deployment])).rejects.toThrow(
      'spec.template.spec.containers[0].livenessProbe.periodSeconds must be integer',
    );
    await expect(validateObjects([{ apiVersion: 'v1', kind: 'Pod' }])).rejects.toThrow('(v1 Pod) is not one');
  });
});

describe('label rules', () => {
  it('accepts Kubernetes label keys and values and refuses the rest', () => {
    expect(isLabelKey('app.kubernetes.io/name')).toBe(true);
    expect(isLabelKey('org.stigmer.spec-hash')).toBe(true);
    expect(isLabelKey('bad key')).toBe(false);
    expect(isLabelValue('')).toBe(true);
    expect(isLabelValue('stigmer-agent-runner:local')).toBe(false);
    expect(isLabelValue('x'.repeat(64))).toBe(false);
    expect(splitLabels({ 'bad key': 'v' })).toEqual({ labels: {}, annotations: {} });
  });
});
