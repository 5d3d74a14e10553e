import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { harnessDocker } from '../harness/context.js';
import { cleanupFixtures, inspect, removeServerImage, runStigmer, serverFixture } from './helpers.js';

async function inspectImage(reference: string) {
  return harnessDocker()
    .getImage(reference)
    .inspect()
    .catch(() => undefined);
}

afterEach(cleanupFixtures);
afterAll(removeServerImage);

/**
 * A third-party plugin as a user would write it: adds an environment variable
 * and a read-only mount through the containerSpec waterfall, and records what
 * the other lifecycle hooks told it (where another component would be started
 * and stopped) in a journal file.
 */
const EXAMPLE_PLUGIN = `
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

export default function examplePlugin() {
  return {
    name: 'example-sidecar',
    version: '1.0.0',
    apiVersion: '1.0',
    apply(hooks, options) {
      const journal = (line) => appendFile(options.journal, line + '\\n');
      hooks.beforeStart.tap(async (request, ctx) => {
        await mkdir(path.join(ctx.run.dataDir, 'cache'), { recursive: true });
        await journal('beforeStart ' + request.containerName + ' existing=' + (request.existing ? request.existing.state : 'none'));
      });
      hooks.containerSpec.tap((spec, ctx) => ({
        ...spec,
        env: { ...spec.env, EXAMPLE_FLAG: options.flag },
        mounts: [...spec.mounts, { source: path.join(ctx.run.dataDir, 'cache'), target: '/cache', readOnly: true }],
      }));
      hooks.afterStart.tap((started) => journal('afterStart ' + started.id + ' alreadyRunning=' + started.alreadyRunning));
      hooks.beforeStop.tap((request) => journal('beforeStop ' + request.containerId));
      hooks.afterStop.tap((result) => journal('afterStop stopped=' + result.stopped + ' removed=' + result.removed));
    },
  };
}
`;

describe('plugins contribute to the start and stop through the lifecycle hooks', () => {
  it('adds an environment variable and a mount, and hears afterStart, beforeStop and afterStop', async () => {
    const probe = await serverFixture();
    const journal = path.join(probe.cwd, 'journal.txt');
    const f = await serverFixture({
      files: { 'example-plugin.mjs': EXAMPLE_PLUGIN },
      extraPlugins: [['./example-plugin.mjs', { flag: 'on', journal }]],
    });
    const started = await runStigmer(f, ['server', 'start', '--explain']);
    expect(started.exitCode).toBe(0);
    expect(started.stdout).toMatch(/containerSpec\s+example-sidecar\s+ok/);
    const info = await inspect(f.name);
    expect(info?.Config.Env).toContain('EXAMPLE_FLAG=on');
    expect(info?.HostConfig.Binds).toContain(`${f.dataDir}/cache:/cache:ro`);
    // The agent-runner's own spec is still all there.
    expect(info?.Config.Env).toContain('TASK_QUEUE=agent_execution_runner');

    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    expect((await runStigmer(f, ['server', 'stop'])).exitCode).toBe(0);
    expect((await readFile(journal, 'utf8')).trim().split('\n')).toEqual([
      `beforeStart ${f.name} existing=none`,
      `afterStart ${info?.Id} alreadyRunning=false`,
      `beforeStart ${f.name} existing=running`,
      `afterStart ${info?.Id} alreadyRunning=true`,
      `beforeStop ${info?.Id}`,
      'afterStop stopped=true removed=true',
    ]);
  });

  it('changing what a plugin contributes counts as a config change', async () => {
    const probe = await serverFixture();
    const journal = path.join(probe.cwd, 'journal.txt');
    const withFlag = (flag: string) =>
      serverFixture({
        files: { 'example-plugin.mjs': EXAMPLE_PLUGIN },
        extraPlugins: [['./example-plugin.mjs', { flag, journal }]],
      });
    const f = await withFlag('on');
    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    // Same container name and data folder, another flag: rewrite the config in place.
    const g = await withFlag('off');
    const config = JSON.parse(await readFile(path.join(g.cwd, '.stigmerrc'), 'utf8'));
    config.server = { containerName: f.name, dataDir: f.dataDir };
    config.image.localTag = f.localTag;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(g.cwd, '.stigmerrc'), JSON.stringify(config));
    const changed = await runStigmer({ ...g, canary: f.canary }, ['server', 'start']);
    expect(changed.exitCode).toBe(13);
    expect(changed.stderr).toContain('env EXAMPLE_FLAG: on → off');
    expect(changed.stderr).toContain('It was left running.');
  });
});

describe('a resolver whose answer the engine contradicts', () => {
  it('server start fails with PLUGIN_INVALID_RESULT naming the plugin, and creates nothing', async () => {
    const f = await serverFixture();
    const wrong = `sha256:${'1'.repeat(64)}`;
    const liar = `export default { name: 'liar', version: '0.0.1', apiVersion: '1.0', apply(hooks) {
      hooks.resolveImage.tap(() => ({ reference: ${JSON.stringify(f.localTag)}, id: '${wrong}', source: 'lies' }), { before: 'stigmer:local-image' });
    } };`;
    await writeFile(path.join(f.cwd, 'liar.mjs'), liar);
    const config = JSON.parse(await readFile(path.join(f.cwd, '.stigmerrc'), 'utf8'));
    config.plugins.push('./liar.mjs');
    await writeFile(path.join(f.cwd, '.stigmerrc'), JSON.stringify(config));
    const actual = (await inspectImage(f.localTag))?.Id;
    const started = await runStigmer(f, ['server', 'start']);
    expect(started.exitCode).toBe(70);
    expect(started.stderr).toBe(
      `Plugin "liar" resolved ${f.localTag} as ${wrong}, but the engine's ${f.localTag} is ${actual} (hook "resolveImage").\n`,
    );
    expect(await inspect(f.name)).toBeUndefined();
    await expect(readFile(path.join(f.dataDir, 'agent-runner.json'))).rejects.toThrow(/ENOENT/);
  });
});
