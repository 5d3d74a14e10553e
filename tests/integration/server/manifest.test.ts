import { spawnSync } from 'node:child_process';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateObjects } from '../../../packages/plugin-kubernetes/src/validate.js';
import { documentOf, schemas } from '../cli/json-schemas.js';
import { STIGMER_BIN } from '../cli/run.js';
import { harness, harnessDocker } from '../harness/context.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import { pushImage } from '../harness/push.js';
import { cleanupFixtures, cliEnv, runStigmer, type ServerFixture, serverFixture } from './helpers.js';

/**
 * `stigmer server manifest --format kubernetes` against the real engine and
 * registry: an image built here with a HEALTHCHECK, refused while only this
 * engine has it, rendered by digest once pushed, probes translated from the
 * engine's own record of the check, secrets only with the flag.
 */
const BUILT = `stigmer-it/manifest-health:${process.pid}`;
const REPOSITORY = `stigmer-it/manifest-${process.pid}`;
const HEALTHCHECK =
  '--interval=7s --timeout=3s --start-period=20s --retries=4 CMD wget -q -O- http://127.0.0.1:8080/ || exit 1';
const pushed: string[] = [];

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, read by path in the assertions
type K8sObject = Record<string, any>;

function parseYaml(text: string): K8sObject[] {
  return yaml.loadAll(text).filter((d) => d !== null) as K8sObject[];
}

function deploymentOf(objects: K8sObject[]): K8sObject {
  const found = objects.find((o) => o.kind === 'Deployment');
  if (!found) throw new Error(`no Deployment in ${JSON.stringify(objects.map((o) => o.kind))}`);
  return found;
}

describe('server manifest --format kubernetes', () => {
  let fixture: ServerFixture;
  let digestReference: string;

  beforeAll(async () => {
    const docker = harnessDocker();
    await makeTestImage(BUILT, {
      docker,
      healthcheck: HEALTHCHECK,
      labels: { 'org.stigmer.test-suite': 'manifest' },
    });
    fixture = await serverFixture({ localImage: false });
    const [repo, tag] = fixture.localTag.split(':') as [string, string];
    await docker.getImage(BUILT).tag({ repo, tag });
  }, 120_000);

  afterAll(async () => {
    await cleanupFixtures();
    await removeImages(harnessDocker(), [BUILT, ...pushed]);
  });

  it('refuses an image only this engine has, saying a cluster cannot pull it and what to do, and prints nothing on stdout', async () => {
    const result = await runStigmer(fixture, ['server', 'manifest', '--format', 'kubernetes']);
    expect(result.exitCode).toBe(20);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('exists only in this Docker engine');
    expect(result.stderr).toContain('docker push');
    expect(result.stderr).toContain('--image');
  });

  it('renders a pushed image by its registry digest, with probes translated from its HEALTHCHECK, valid against the Kubernetes schemas', async () => {
    const target = { registry: harness().openRegistry, repository: REPOSITORY, tag: 'v1' };
    pushed.push(await pushImage(harnessDocker(), fixture.localTag, target));
    const info = await harnessDocker().getImage(fixture.localTag).inspect();
    digestReference = info.RepoDigests?.find((d) => d.startsWith(`${target.registry}/${REPOSITORY}@`)) ?? '';
    expect(digestReference).toMatch(/@sha256:[0-9a-f]{64}$/);

    const result = await runStigmer(fixture, ['server', 'manifest', '--format', 'kubernetes']);
    expect(result.stderr).not.toContain('error');
    // The schema validator's libraries must not make Node print deprecation warnings (DEP0040, punycode).
    expect(result.stderr).not.toContain('DeprecationWarning');
    expect(result.exitCode).toBe(0);
    const objects = parseYaml(result.stdout);
    await validateObjects(objects as never);
    expect(objects.map((o) => o.kind)).toEqual(['Deployment']);
    const deployment = deploymentOf(objects);
    expect(deployment.spec.replicas).toBe(1);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe(digestReference);
    const command = ['/bin/sh', '-c', 'wget -q -O- http://127.0.0.1:8080/ || exit 1'];
    const probe = { exec: { command }, periodSeconds: 7, timeoutSeconds: 3, failureThreshold: 4 };
    expect(container.livenessProbe).toEqual(probe);
    expect(container.readinessProbe).toEqual({ ...probe, successThreshold: 1 });
    // 20s of start period checked every 5s (Docker's start interval), then the 4 retries.
    expect(container.startupProbe).toEqual({
      exec: { command },
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 8,
    });
    expect(container.env).toContainEqual({ name: 'LOG_LEVEL', value: 'DEBUG' });
    expect(container.args).toEqual(['sh', '-c', expect.stringContaining('runner up')]);
    expect(deployment.metadata.labels['org.stigmer.managed-by']).toBe('stigmer');
    // What describes the container on this engine stays on this machine: no data folder, no recorded spec.
    expect(deployment.metadata.annotations).toEqual({
      'org.stigmer.spec-hash': expect.stringMatching(/^sha256:/),
    });
    expect(result.stdout).not.toContain(fixture.dataDir);
  });

  it('keeps API keys out without --include-secrets: a secretKeyRef, and a note saying how to create the Secret', async () => {
    const result = await runStigmer(fixture, ['server', 'manifest', '--format', 'kubernetes']);
    expect(result.exitCode).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain(fixture.canary);
    const container = deploymentOf(parseYaml(result.stdout)).spec.template.spec.containers[0];
    const secretName = `${fixture.name}-api-keys`;
    expect(container.env).toContainEqual({
      name: 'ANTHROPIC_API_KEY',
      valueFrom: { secretKeyRef: { name: secretName, key: 'ANTHROPIC_API_KEY' } },
    });
    expect(result.stderr).toContain(
      `kubectl create secret generic ${secretName} --from-literal=ANTHROPIC_API_KEY="$ANTHROPIC_API_KEY"`,
    );
    const json = await runStigmer(fixture, ['server', 'manifest', '--format', 'kubernetes', '--json']);
    expect(json.exitCode).toBe(0);
    expect(json.stdout).not.toContain(fixture.canary);
    const doc = documentOf(schemas['server manifest'], json.stdout);
    expect(doc.documents.map((d) => d.kind)).toEqual(['Deployment']);
    expect(doc.image.pullable).toBe(digestReference);
    expect(doc.notes.join('\n')).toContain('kubectl create secret generic');
  });

  it('puts the API keys in a Secret with --include-secrets, in YAML and in --json alike', async () => {
    const result = await runStigmer(fixture, [
      'server',
      'manifest',
      '--format',
      'kubernetes',
      '--include-secrets',
    ]);
    expect(result.exitCode).toBe(0);
    const objects = parseYaml(result.stdout);
    await validateObjects(objects as never);
    const secret = objects.find((o) => o.kind === 'Secret');
    expect(secret?.stringData).toEqual({ ANTHROPIC_API_KEY: fixture.canary });
    expect(result.stderr).not.toContain(fixture.canary);
    const json = await runStigmer(fixture, [
      'server',
      'manifest',
      '--format',
      'kubernetes',
      '--include-secrets',
      '--json',
    ]);
    const doc = JSON.parse(json.stdout);
    expect(doc.documents.find((d: K8sObject) => d.kind === 'Secret').stringData.ANTHROPIC_API_KEY).toBe(
      fixture.canary,
    );
  });

  it('prints the same objects as YAML and as JSON (a List), and takes --replicas and --image', async () => {
    const image = `${harness().openRegistry}/${REPOSITORY}@sha256:${'a'.repeat(64)}`;
    const args = [
      'server',
      'manifest',
      '--format',
      'kubernetes',
      '--replicas',
      '3',
      '--image',
      image,
      '--include-secrets',
    ];
    const asYaml = await runStigmer(fixture, args);
    const asJson = await runStigmer(fixture, [...args, '--output', 'json']);
    expect([asYaml.exitCode, asJson.exitCode]).toEqual([0, 0]);
    const list = JSON.parse(asJson.stdout);
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items).toEqual(parseYaml(asYaml.stdout));
    const deployment = deploymentOf(list.items);
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.containers[0].image).toBe(image);
  });

  it("takes the replicas from the swarm plugin's options when it is loaded, and --replicas over them", async () => {
    // A stand-in with the swarm plugin's name and options: what the CLI reads is the loaded plugin's `replicas`.
    const swarm = await serverFixture({
      localImage: false,
      extraPlugins: [['./swarm.mjs', { replicas: 4 }]],
      files: {
        'swarm.mjs':
          "export default { name: 'stigmer:swarm', version: '0.0.1', apiVersion: '1.2', apply() {} };\n",
      },
    });
    const [repo, tag] = swarm.localTag.split(':') as [string, string];
    await harnessDocker().getImage(fixture.localTag).tag({ repo, tag });
    const fromSwarm = await runStigmer(swarm, ['server', 'manifest', '--format', 'kubernetes']);
    expect(fromSwarm.stderr).not.toContain('error');
    expect(deploymentOf(parseYaml(fromSwarm.stdout)).spec.replicas).toBe(4);
    const fromFlag = await runStigmer(swarm, [
      'server',
      'manifest',
      '--format',
      'kubernetes',
      '--replicas',
      '0',
    ]);
    expect(deploymentOf(parseYaml(fromFlag.stdout)).spec.replicas).toBe(0);
  });

  it('ends quietly when its output is piped to head', () => {
    const result = spawnSync(
      'sh',
      ['-c', `"${process.execPath}" "${STIGMER_BIN}" server manifest --format kubernetes | head -1`],
      {
        cwd: fixture.cwd,
        env: cliEnv(fixture),
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('---\n');
    expect(result.stderr).not.toMatch(/EPIPE|Error:|\n\s+at /);
  });

  it('refuses a format no plugin renders (exit 2), naming the renderers it asked', async () => {
    const result = await runStigmer(fixture, ['server', 'manifest', '--format', 'nomad']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('No plugin renders the "nomad" format (asked: stigmer:kubernetes)');
  });
});
