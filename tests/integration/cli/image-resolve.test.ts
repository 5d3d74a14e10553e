import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { harness, harnessDocker } from '../harness/context.js';
import { removeImages } from '../harness/images.js';
import { projectDir, stigmer } from './run.js';

// Each test uses its own local tag so a failure cannot leak into the next.
let counter = 0;
const localTag = () => `stigmer-it/agent-runner:t${process.pid}-${++counter}`;
const made: string[] = [];

afterEach(async () => {
  await removeImages(harnessDocker(), made.splice(0));
});

/** A .stigmerrc whose ghcr plugin points at a loopback registry instead of ghcr.io. */
function stigmerrc(tag: string, ghcr: { registry: string; repository?: string; tag: string }): string {
  return JSON.stringify({
    image: { localTag: tag },
    plugins: ['local-image', ['ghcr', { repository: 'stigmer/agent-runner', ...ghcr }], 'build-hint'],
  });
}

async function imageId(reference: string): Promise<string | undefined> {
  try {
    return (await harnessDocker().getImage(reference).inspect()).Id;
  } catch {
    return undefined;
  }
}

describe('stigmer image resolve against a real engine and registry', () => {
  let testImageRef: string;
  beforeAll(() => {
    const { repository, tag } = harness().testImage;
    testImageRef = `${repository}:${tag}`;
  });

  it('answers from local-image when the local tag exists, without touching the registry', async () => {
    const tag = localTag();
    made.push(tag);
    const [repo, t] = tag.split(':') as [string, string];
    await harnessDocker().getImage(testImageRef).tag({ repo, tag: t });
    // A registry port nobody listens on: a pull attempt would fail the test.
    const cwd = await projectDir({ '.stigmerrc': stigmerrc(tag, { registry: '127.0.0.1:9', tag: '0.1.0' }) });
    const result = await stigmer(['image', 'resolve', '--explain'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      `${tag} (${harness().testImage.id.slice(0, 19)}, linux/amd64) from local engine`,
    );
    expect(result.stdout).toMatch(
      /resolveImage\s+stigmer:local-image\s+resolved\s+\S+\s+\S+ found in the local engine/,
    );
    expect(result.stdout).not.toContain('stigmer:ghcr');
  });

  it('pulls from the registry and tags the local name when the local image is missing', async () => {
    const tag = localTag();
    const registry = harness().openRegistry;
    made.push(tag, `${registry}/stigmer/agent-runner:0.1.0`);
    const cwd = await projectDir({ '.stigmerrc': stigmerrc(tag, { registry, tag: '0.1.0' }) });
    const result = await stigmer(['image', 'resolve', '--explain'], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(` from registry ${registry}/stigmer/agent-runner:0.1.0`);
    expect(result.stdout).toMatch(/stigmer:local-image\s+passed\s+\S+\s+\S+ is not in the local engine/);
    expect(result.stdout).toMatch(/stigmer:ghcr\s+resolved\s+\S+\s+pulled \S+ and tagged it/);
    expect(await imageId(tag)).toBe(harness().testImage.id);
  });

  it('pulls anonymously from a registry with ghcr-like token auth', async () => {
    const tag = localTag();
    const registry = harness().tokenRegistry;
    made.push(tag, `${registry}/stigmer/agent-runner:latest`);
    const cwd = await projectDir({ '.stigmerrc': stigmerrc(tag, { registry, tag: 'latest' }) });
    const result = await stigmer(['image', 'resolve', '--json'], { cwd });
    expect(result.exitCode).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      ok: true,
      image: {
        reference: tag,
        id: harness().testImage.id,
        source: `registry ${registry}/stigmer/agent-runner:latest`,
      },
    });
    expect(doc.image.digest).toMatch(new RegExp(`^${registry}/stigmer/agent-runner@sha256:[0-9a-f]{64}$`));
    const resolvers = doc.trace.filter((e: { hook: string }) => e.hook === 'resolveImage');
    expect(resolvers.map((e: { plugin: string; outcome: string }) => [e.plugin, e.outcome])).toEqual([
      ['stigmer:local-image', 'passed'],
      ['stigmer:ghcr', 'resolved'],
    ]);
  });

  it('prints the original build hint with the attempted reference and the real error when the tag is missing', async () => {
    const tag = localTag();
    const registry = harness().openRegistry;
    const reference = `${registry}/stigmer/agent-runner:no-such-tag`;
    const cwd = await projectDir({ '.stigmerrc': stigmerrc(tag, { registry, tag: 'no-such-tag' }) });
    const result = await stigmer(['image', 'resolve'], { cwd });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'Docker image not found locally and pull from registry failed.',
      '',
      `Registry pull attempted: ${reference}`,
    ]);
    expect(lines[3]).toMatch(/^Error: .*(manifest unknown|not found)/);
    expect(lines.slice(4, 17)).toEqual([
      '',
      'To fix this, build the image locally:',
      `  make build-agent-runner-image AGENT_RUNNER_IMAGE=${tag}`,
      '',
      'Or if you have the repository:',
      '  cd backend/services/agent-runner',
      `  docker build -f Dockerfile -t ${tag} ../../..`,
      '',
      'After building, restart Stigmer server.',
      '',
      'Or bring the image from a machine that has it: run `stigmer image export DIR` there, copy DIR here, then run `stigmer image import DIR`.',
      '',
      'What each plugin tried:',
    ]);
    expect(lines[17]).toBe(`  - stigmer:local-image: ${tag} is not in the local engine`);
    expect(lines[18]).toMatch(
      new RegExp(`^  - stigmer:ghcr: pull of ${reference.replace(/[.:]/g, '\\$&')} failed \\(.+\\)$`),
    );
    expect(await imageId(tag)).toBeUndefined();
  });

  it('gives the "Docker is not running" guidance, with what was tried, when the engine is unreachable', async () => {
    const cwd = await projectDir();
    const result = await stigmer(['image', 'resolve'], {
      cwd,
      env: { DOCKER_HOST: `unix://${cwd}/no-engine.sock` },
    });
    expect(result.exitCode).toBe(69);
    expect(result.stderr.split('\n')[0]).toBe('Docker is not running. Agent-runner requires Docker.');
    expect(result.stderr).toContain(`unix://${cwd}/no-engine.sock`);
    expect(result.stderr).toContain('DOCKER_HOST');
    expect(result.stderr).toContain('After installing Docker, restart Stigmer server.');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace without --debug
  });
});

describe('misbehaving plugins are named with their hook', () => {
  const plugin = (body: string) =>
    `export default { name: 'rogue', version: '0.0.1', apiVersion: '1.0', apply(hooks) { hooks.resolveImage.tap(${body}); } };`;
  const config = (extra = '') =>
    `plugins: [./rogue.mjs, local-image, build-hint]\nimage: {localTag: "stigmer-it/none:missing"}\n${extra}`;

  it('a plugin that throws', async () => {
    const cwd = await projectDir({
      '.stigmerrc': config(),
      'rogue.mjs': plugin(`() => { throw new Error('kaboom'); }`),
    });
    const result = await stigmer(['image', 'resolve'], { cwd });
    expect(result.exitCode).toBe(70);
    expect(result.stderr).toBe('Plugin "rogue" failed in hook "resolveImage": kaboom\n');
  });

  it('a plugin that hangs past its timeout', async () => {
    const cwd = await projectDir({
      '.stigmerrc': config('timeouts: {resolveImage: 300ms}'),
      'rogue.mjs': plugin('() => new Promise(() => {})'),
    });
    const result = await stigmer(['image', 'resolve'], { cwd });
    expect(result.exitCode).toBe(70);
    expect(result.stderr).toBe(
      'Plugin "rogue" did not finish hook "resolveImage" within 300ms. If it needs longer, raise "timeouts.resolveImage" in your stigmer config (or set STIGMER_TIMEOUT_RESOLVE_IMAGE).\n',
    );
  });

  it('a plugin that returns null', async () => {
    const cwd = await projectDir({ '.stigmerrc': config(), 'rogue.mjs': plugin('() => null') });
    const result = await stigmer(['image', 'resolve', '--json'], { cwd });
    expect(result.exitCode).toBe(70);
    expect(JSON.parse(result.stdout).error).toEqual({
      code: 'PLUGIN_INVALID_RESULT',
      exitCode: 70,
      message:
        'Plugin "rogue" returned null; return undefined to pass to the next plugin (hook "resolveImage").',
      plugin: 'rogue',
      hook: 'resolveImage',
      details: {},
    });
  });
});

describe('what a resolver says it resolved is checked against the engine', () => {
  const liar = (image: Record<string, string>) =>
    `export default { name: 'liar', version: '0.0.1', apiVersion: '1.0', apply(hooks) { hooks.resolveImage.tap(() => (${JSON.stringify(image)})); } };`;
  const run = async (image: Record<string, string>, args: string[]) => {
    const cwd = await projectDir({
      '.stigmerrc':
        'plugins: [./liar.mjs, local-image, build-hint]\nimage: {localTag: "stigmer-it/none:missing"}\n',
      'liar.mjs': liar(image),
    });
    return stigmer(args, { cwd });
  };

  it('a reference the engine does not have: exit 70 naming the plugin, not a later engine error', async () => {
    const reference = `stigmer-it/never-made:t${process.pid}`;
    const result = await run({ reference, id: harness().testImage.id, source: 'lies' }, ['image', 'resolve']);
    expect(result.exitCode).toBe(70);
    expect(result.stderr).toBe(
      `Plugin "liar" resolved ${reference}, but the engine has no such image (hook "resolveImage").\n`,
    );
    expect(result.stdout).toBe('');
  });

  it("an id that is not the reference's: exit 70 with both ids, in --json with the plugin and hook", async () => {
    const tag = localTag();
    made.push(tag);
    const [repo, t] = tag.split(':') as [string, string];
    await harnessDocker().getImage(harness().testImage.id).tag({ repo, tag: t });
    const wrong = `sha256:${'0'.repeat(64)}`;
    const result = await run({ reference: tag, id: wrong, source: 'lies' }, ['image', 'resolve', '--json']);
    expect(result.exitCode).toBe(70);
    const doc = JSON.parse(result.stdout);
    expect(doc.error).toEqual({
      code: 'PLUGIN_INVALID_RESULT',
      exitCode: 70,
      message: `Plugin "liar" resolved ${tag} as ${wrong}, but the engine's ${tag} is ${harness().testImage.id} (hook "resolveImage").`,
      plugin: 'liar',
      hook: 'resolveImage',
      details: { reference: tag, id: wrong, engineId: harness().testImage.id },
    });
    expect(doc.trace.find((e: { plugin: string }) => e.plugin === 'liar')).toMatchObject({
      outcome: 'failed',
      code: 'PLUGIN_INVALID_RESULT',
    });
    // Nothing was changed in the engine: the tag still names the test image.
    expect(await imageId(tag)).toBe(harness().testImage.id);
  });
});
