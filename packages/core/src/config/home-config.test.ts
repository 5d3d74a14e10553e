import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderWith } from '../test-support/folder.js';
import { readHomeConfig } from './home-config.js';

const home = (content?: string) =>
  folderWith(content === undefined ? {} : { '.stigmer/config.yaml': content }, 'stigmer-home-');

describe("the original CLI's ~/.stigmer/config.yaml", () => {
  it('is not there: nothing to read', async () => {
    expect(await readHomeConfig({ HOME: await home() })).toBeUndefined();
  });

  it('gives backend.local.llm.provider|model|base_url and ignores every other key', async () => {
    const HOME = await home(
      'backend:\n  type: local\n  local:\n    llm:\n      provider: ollama\n      model: llama3\n      base_url: http://h:1\n      extra: x\n    other: 1\n',
    );
    expect(await readHomeConfig({ HOME })).toEqual({
      path: path.join(HOME, '.stigmer/config.yaml'),
      llm: { provider: 'ollama', model: 'llama3', baseUrl: 'http://h:1' },
    });
  });

  it.each([
    ['an empty file', ''],
    ['a list', '- a\n- b\n'],
    ['no llm section', 'backend: {type: cloud}\n'],
    ['values that are not text', 'backend: {local: {llm: {provider: 7, model: [a], base_url: ""}}}\n'],
  ])('%s: no values, no problem', async (_, content) => {
    const HOME = await home(content);
    expect(await readHomeConfig({ HOME })).toEqual({
      path: path.join(HOME, '.stigmer/config.yaml'),
      llm: {},
    });
  });

  it('broken YAML or YAML tags: a problem to report, never a throw', async () => {
    for (const content of ['backend: [unclosed', 'x: !!js/function "function () {}"']) {
      const HOME = await home(content);
      const read = await readHomeConfig({ HOME });
      expect(read?.llm).toEqual({});
      expect(read?.problem).toMatch(/could not be read \(.+\); ignored$/);
    }
  });
});
