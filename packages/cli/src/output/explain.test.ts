import type { TraceEntry } from '@stigmer/core';
import { describe, expect, it } from 'vitest';
import { explainLines, placeLines } from './explain.js';

const entry = (over: Partial<TraceEntry>): TraceEntry =>
  ({
    seq: 1,
    hook: 'resolveImage',
    plugin: 'stigmer:ghcr',
    outcome: 'failed',
    durationMs: 2,
    messages: [],
    ...over,
  }) as TraceEntry;

describe('explainLines', () => {
  it('indents the later lines of a multi-line reason or message under their first line', () => {
    const lines = explainLines([
      entry({
        reason: 'pull failed\nRegistry said: denied',
        messages: [{ level: 'warn', message: 'first\nsecond' } as TraceEntry['messages'][number]],
      }),
    ]);
    const head = lines[0] ?? '';
    expect(head).toMatch(/^ {3}1\. resolveImage {2}stigmer:ghcr {2}failed {2}\s+2\.0ms {2}pull failed$/);
    const column = head.indexOf('pull failed');
    expect(lines[1]).toBe(`${' '.repeat(column)}Registry said: denied`);
    expect(lines[2]).toBe('        warn: first');
    expect(lines[3]).toBe(`${' '.repeat('        warn: '.length)}second`);
  });
});

describe('placeLines', () => {
  it('names the engine and the config, also when the run failed before finding them', () => {
    expect(
      placeLines({ endpoint: { host: 'unix:///x.sock', source: 'DOCKER_HOST' }, configFile: undefined }),
    ).toEqual([
      'Engine: unix:///x.sock (DOCKER_HOST)',
      'Config: none found; the built-in default chain applies',
    ]);
    expect(placeLines({ engineDown: true, configFile: '/p/.stigmerrc' })).toEqual([
      'Engine: none answered (see above)',
      'Config: /p/.stigmerrc',
    ]);
    expect(placeLines({ configFile: null })).toEqual([
      'Engine: not contacted',
      'Config: not loaded (see above)',
    ]);
  });
});
