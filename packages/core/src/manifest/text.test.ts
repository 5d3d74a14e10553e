import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { manifestText } from './text.js';

const documents = [
  { apiVersion: 'v1', kind: 'Secret', stringData: { KEY: 'a: b # not a comment' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    spec: { replicas: 2, args: ['sh', '-c', `echo ${'x'.repeat(200)}`] },
  },
];

describe('manifestText', () => {
  it('writes YAML documents, each after ---, that read back to the same objects (long lines unfolded)', async () => {
    const text = await manifestText(documents, 'yaml');
    expect(text.startsWith('---\n')).toBe(true);
    expect(text.split('\n').filter((l) => l === '---')).toHaveLength(2);
    expect(yaml.loadAll(text)).toEqual(documents);
  });

  it('writes JSON: one document as itself, several as the combined object, else an array', async () => {
    expect(JSON.parse(await manifestText(documents.slice(0, 1), 'json'))).toEqual(documents[0]);
    const list = { kind: 'List', items: documents };
    expect(JSON.parse(await manifestText(documents, 'json', list))).toEqual(list);
    expect(JSON.parse(await manifestText(documents, 'json'))).toEqual(documents);
  });
});
