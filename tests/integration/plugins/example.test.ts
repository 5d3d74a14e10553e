import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StigmerPlugin } from '@stigmer/core';
import { runChain } from '@stigmer/testing';
import { describe, expect, it } from 'vitest';
import { projectDir, stigmer } from '../cli/run.js';
import { harness } from '../harness/context.js';
import { imageId, imageNames, installPackage, ROOT, tagImage } from './helpers.js';

const EXAMPLE_DIR = path.join(ROOT, 'examples/stigmer-plugin-example');

/** The example plugin's factory, imported from its source as a test in its own repository would. */
async function examplePlugin(): Promise<StigmerPlugin<unknown>> {
  const url = pathToFileURL(path.join(EXAMPLE_DIR, 'src/index.js')).href;
  const module = (await import(url)) as { default: () => StigmerPlugin<unknown> };
  return module.default();
}

const images = imageNames('example');

describe('runChain from @stigmer/testing runs the example plugin against the real engine', () => {
  it('resolves by tagging the configured image with the local name', async () => {
    const [source, localTag] = [images.name(), images.name()];
    await tagImage(source);
    const run = await runChain({
      plugins: [[await examplePlugin(), { image: source }]],
      request: { localTag },
    });
    expect(run.error).toBeUndefined();
    expect(run.image).toMatchObject({ reference: localTag, id: harness().testImage.id });
    expect(run.trace.map((e) => [e.hook, e.plugin, e.outcome, e.reason])).toEqual([
      ['resolveImage', 'example', 'resolved', `${source} tagged as ${localTag}`],
    ]);
    expect(await imageId(localTag)).toBe(harness().testImage.id);
  });

  it('passes over an image without the required label, and its hint ends up in the error', async () => {
    const [source, localTag] = [images.name(), images.name()];
    await tagImage(source);
    const run = await runChain({
      plugins: [[await examplePlugin(), { image: source, requireLabel: 'org.acme.approved' }]],
      request: { localTag },
    });
    expect(run.image).toBeUndefined();
    expect(run.error?.code).toBe('IMAGE_UNRESOLVED');
    expect(run.error?.message).toBe(
      `The example plugin looked for ${source}: build or load it, e.g. \`docker load -i agent-runner.tar\`.`,
    );
    expect(run.trace[0]?.reason).toBe(`${source} lacks the label org.acme.approved`);
    expect(await imageId(localTag)).toBeUndefined();
  });

  it("validates options with the plugin's schema, as the CLI does", async () => {
    await expect(runChain({ plugins: [[await examplePlugin(), { imagee: 'x' }]] })).rejects.toMatchObject({
      code: 'PLUGIN_OPTIONS_INVALID',
      message:
        // The CLI's own message for a config file's plugin options, key paths included.
        'Invalid stigmer config in the chain given to runChain (options of plugin "example") (2 problems):\n  - plugins[0][1].imagee: unknown option\n  - plugins[0][1].image: expected an image reference such as acme/agent-runner:1.0',
    });
  });
});

describe('the example installed as `npm install stigmer-plugin-example` would, loaded by name from a .stigmerrc', () => {
  async function project(localTag: string, source: string) {
    const cwd = await projectDir({
      '.stigmerrc': `image: {localTag: "${localTag}"}\nplugins:\n  - [example, {image: "${source}"}]\n  - build-hint\n`,
    });
    const installed = await installPackage(cwd, EXAMPLE_DIR, 'stigmer-plugin-example');
    return { cwd, installed };
  }

  it('`stigmer plugins list` shows each plugin, its version, where it came from and the hooks it taps', async () => {
    const { cwd, installed } = await project(images.name(), images.name());
    const result = await stigmer(['plugins', 'list', '--json'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const listed = JSON.parse(result.stdout);
    // Core may add its own plugins (index -1, such as the credential providers); the config's come first.
    expect({ ...listed, plugins: listed.plugins.filter((p: { index: number }) => p.index >= 0) }).toEqual({
      ok: true,
      warnings: [],
      configFile: path.join(cwd, '.stigmerrc'),
      plugins: [
        {
          name: 'example',
          version: '1.0.0',
          specifier: 'example',
          index: 0,
          loadedFrom: path.join(installed, 'src/index.js'),
          hooks: ['resolveImage', 'unresolved'],
        },
        {
          name: 'stigmer:build-hint',
          version: '0.1.0',
          specifier: 'build-hint',
          index: 1,
          loadedFrom: 'bundled with stigmer (@stigmer/plugin-build-hint)',
          hooks: ['unresolved'],
        },
      ],
    });
    const human = await stigmer(['plugins', 'list'], { cwd });
    const lines = human.stdout.split('\n');
    expect(lines[0]).toBe(`# config file: ${path.join(cwd, '.stigmerrc')}`);
    expect(lines[1]).toMatch(/^example {2,}1\.0\.0 {2}taps resolveImage, unresolved$/);
    expect(lines[2]).toMatch(new RegExp(`^ +from ${path.join(installed, 'src/index.js')}$`));
    expect(lines[3]).toMatch(/^stigmer:build-hint {2,}0\.1\.0 {2}taps unresolved$/);
    expect(lines[4]).toMatch(/^ +from bundled with stigmer \(@stigmer\/plugin-build-hint\)$/);
  });

  it('`stigmer image resolve` runs it from node_modules and resolves through it', async () => {
    const [source, localTag] = [images.name(), images.name()];
    await tagImage(source);
    const { cwd } = await project(localTag, source);
    const result = await stigmer(['image', 'resolve', '--explain'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      `${localTag} (${harness().testImage.id.slice(0, 19)}, linux/amd64) from example plugin (${source})`,
    );
    expect(result.stdout).toMatch(
      new RegExp(`resolveImage\\s+example\\s+resolved\\s+\\S+\\s+${source} tagged as`),
    );
  });

  it('with no config, lists the built-in default chain, every plugin bundled with stigmer', async () => {
    const result = await stigmer(['plugins', 'list', '--json'], { cwd: await projectDir() });
    expect(result.exitCode).toBe(0);
    const listed = JSON.parse(result.stdout) as {
      configFile: null;
      plugins: { name: string; loadedFrom: string }[];
    };
    expect(listed.configFile).toBeNull();
    expect(listed.plugins.slice(0, 3).map((p) => p.name)).toEqual([
      'stigmer:local-image',
      'stigmer:ghcr',
      'stigmer:build-hint',
    ]);
    expect(listed.plugins.every((p) => p.loadedFrom.startsWith('bundled with stigmer ('))).toBe(true);
  });

  it('without the plugin installed, says where it looked and how to install it', async () => {
    const cwd = await projectDir({ '.stigmerrc': 'plugins: [[example, {image: "x:1"}]]\n' });
    const result = await stigmer(['plugins', 'list'], { cwd });
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toContain(
      'Install it where your config is: npm install --save-dev stigmer-plugin-example',
    );
  });
});
