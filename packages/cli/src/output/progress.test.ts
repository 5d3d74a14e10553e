import type { PullEvent } from '@stigmer/core';
import { describe, expect, it } from 'vitest';
import { ProgressRenderer, progressMode } from './progress.js';
import { PullProgress } from './progress-state.js';
import { formatBytes, formatRate } from './units.js';

const layer = (id: string, status: string, current?: number, total?: number): PullEvent => ({
  type: 'layer',
  layer: id,
  status,
  ...(current === undefined ? {} : { current }),
  ...(total === undefined ? {} : { total }),
});

describe('progressMode', () => {
  it('quiet wins, then --json, then a terminal without CI gets the bar', () => {
    expect(progressMode({ quiet: true, json: true }, {}, true)).toBe('none');
    expect(progressMode({ json: true }, {}, true)).toBe('json');
    expect(progressMode({}, {}, true)).toBe('bar');
    expect(progressMode({}, { CI: 'true' }, true)).toBe('plain');
    expect(progressMode({}, { CI: 'false' }, true)).toBe('bar');
    expect(progressMode({}, {}, false)).toBe('plain');
  });
});

describe('PullProgress', () => {
  it('sums bytes over layers and counts finished ones', () => {
    let now = 0;
    const progress = new PullProgress('r', () => now);
    progress.apply(layer('aaaaaaaaaaaa', 'Pulling fs layer'));
    progress.apply(layer('bbbbbbbbbbbb', 'Already exists'));
    progress.apply(layer('aaaaaaaaaaaa', 'Downloading', 500, 1000));
    now = 1000;
    progress.apply(layer('aaaaaaaaaaaa', 'Downloading', 1000, 1000));
    expect(progress.snapshot()).toMatchObject({
      bytes: 1000,
      total: 1000,
      layers: 2,
      layersDone: 1,
      rate: 1000,
    });
    progress.apply(layer('aaaaaaaaaaaa', 'Pull complete'));
    expect(progress.snapshot()).toMatchObject({ layersDone: 2 });
  });

  it('formats sizes in decimal units, the same everywhere', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(999_960_000)).toBe('1.0 GB');
    expect(formatRate(2_000_000)).toBe('2.0 MB/s');
  });
});

describe('ProgressRenderer', () => {
  const run = (mode: 'bar' | 'plain' | 'json' | 'none', color = false) => {
    let out = '';
    let now = 0;
    const renderer = new ProgressRenderer(
      mode,
      { write: (t: string) => (out += t), columns: 100 },
      { color, now: () => now, timers: false },
    );
    const feed = (event: PullEvent) => renderer.onEvent({ plugin: 'p', reference: 'reg/app:1', event });
    feed(layer('aaaaaaaaaaaa', 'Downloading', 0, 2_000_000));
    now = 11_000;
    feed(layer('aaaaaaaaaaaa', 'Downloading', 1_000_000, 2_000_000));
    feed({ type: 'retry', attempt: 1, delayMs: 1500, reason: 'temporary error: EOF' });
    now = 12_000;
    feed(layer('aaaaaaaaaaaa', 'Pull complete'));
    feed({ type: 'digest', digest: 'sha256:abc' });
    renderer.finish();
    return out;
  };

  it('plain: a line per tenth crossed, the retry, the end', () => {
    expect(run('plain')).toBe(
      [
        'Pulling reg/app:1',
        '  reg/app:1: 1.0 MB / 2.0 MB (50%), 90.9 kB/s, layers 0/1 done',
        'Retrying reg/app:1 in 1.5s (attempt 2): temporary error: EOF',
        'Pulled reg/app:1: 1 layer, 12.0s',
        '',
      ].join('\n'),
    );
  });

  it('plain: at least every 10% of the bytes, and every 10 s while nothing arrives', () => {
    let out = '';
    let now = 0;
    const renderer = new ProgressRenderer(
      'plain',
      { write: (t: string) => (out += t) },
      { now: () => now, timers: false },
    );
    const feed = (current: number) =>
      renderer.onEvent({
        plugin: 'p',
        reference: 'r:1',
        event: layer('aaaaaaaaaaaa', 'Downloading', current, 100_000_000),
      });
    // Many small steps: one line per tenth, not one per event.
    for (let bytes = 0; bytes <= 100_000_000; bytes += 1_000_000) {
      now += 100;
      feed(bytes);
    }
    const tenths = out.split('\n').filter((l) => l.startsWith('  r:1: '));
    expect(tenths.map((l) => /\((\d+)%\)/.exec(l)?.[1])).toEqual([
      '10',
      '20',
      '30',
      '40',
      '50',
      '60',
      '70',
      '80',
      '90',
      '100',
    ]);
    // A stall: the clock prints the same figures every 10 s, with the rate falling to nothing.
    out = '';
    now += 9_000;
    renderer.tick();
    expect(out).toBe('');
    now += 1_000;
    renderer.tick();
    now += 10_000;
    renderer.tick();
    expect(out.trimEnd().split('\n')).toEqual([
      '  r:1: 100.0 MB / 100.0 MB (100%), 0 B/s, layers 0/1 done',
      '  r:1: 100.0 MB / 100.0 MB (100%), 0 B/s, layers 0/1 done',
    ]);
    renderer.onEvent({ plugin: 'p', reference: 'r:1', event: { type: 'digest', digest: 'sha256:1' } });
    out = '';
    now += 30_000;
    renderer.tick();
    expect(out).toBe('');
  });

  it('json: one object per line', () => {
    const lines = run('json')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.event)).toEqual([
      'pull-start',
      'pull-progress',
      'pull-retry',
      'pull-progress',
      'pull-done',
    ]);
    expect(lines[1]).toMatchObject({ bytes: 1_000_000, total: 2_000_000, layers: 1 });
  });

  it('bar: redrawn in place and cleared; colour only when asked', () => {
    const out = run('bar');
    expect(out).toContain('\rreg/app:1 [###############---------------] 1.0 MB / 2.0 MB');
    expect(out).toContain('\r\x1b[K');
    expect(out).not.toContain('\x1b[36m');
    expect(run('bar', true)).toContain('\x1b[36m');
  });

  it('clears the bar before a warning is printed', () => {
    let out = '';
    let now = 0;
    const bar = new ProgressRenderer(
      'bar',
      { write: (t: string) => (out += t), columns: 100 },
      { now: () => now },
    );
    const event = {
      type: 'layer',
      layer: 'aaaaaaaaaaaa',
      status: 'Downloading',
      current: 1,
      total: 2,
    } as const;
    bar.onEvent({ plugin: 'p', reference: 'r:1', event });
    now = 200;
    bar.onEvent({ plugin: 'p', reference: 'r:1', event });
    expect(out).toContain('] ');
    bar.beforeWarning();
    expect(out.endsWith('\r\x1b[K')).toBe(true);
  });

  it('none: nothing', () => {
    expect(run('none')).toBe('');
  });
});
