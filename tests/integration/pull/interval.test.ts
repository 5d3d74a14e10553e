import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectDir, stigmer } from '../cli/run.js';
import { harness } from '../harness/context.js';
import { escapeRegExp } from '../harness/regexp.js';
import { imageId, localTag, made, stigmerrc, useFaultProxy } from './helpers.js';

/**
 * An interval pull policy (`24h`) counts from the pull: the pull records the
 * check, so the next run within the interval asks no registry at all. The
 * recording proxy in front of the registry sees every request.
 */

const fixture = useFaultProxy();

describe('pullPolicy: 24h', () => {
  it('a pull records the check: the next run within the interval asks no registry', async () => {
    const tag = localTag();
    const reference = `${fixture.proxy.host}/stigmer/agent-runner:0.1.0`;
    made.push(tag, reference);
    const cwd = await projectDir({
      '.stigmerrc': stigmerrc(
        tag,
        { registry: fixture.proxy.host, tag: '0.1.0' },
        { image: { localTag: tag, pullPolicy: '24h' } },
      ),
    });

    const first = await stigmer(['image', 'resolve', '--quiet'], { cwd });
    expect(first.exitCode).toBe(0);
    expect(await imageId(tag)).toBe(harness().testImage.id);
    expect(fixture.proxy.requests.some((r) => r.method === 'GET' && r.path === '/v2/')).toBe(true);
    const record = JSON.parse(await readFile(path.join(cwd, '.stigmer/data/pull-checks.json'), 'utf8'));
    expect(record[tag]).toMatchObject({ reference, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });

    fixture.proxy.requests.length = 0;
    const second = await stigmer(['image', 'resolve', '--explain'], { cwd });
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(`checked ${escapeRegExp(reference)} \\d+(\\.\\d+)?m?s ago, within the 24h interval`),
    );
    expect(fixture.proxy.requests).toEqual([]);

    // Without an interval, `newer` asks every time: one manifest HEAD, no pull.
    const newer = await stigmer(['image', 'resolve', '--pull', 'newer', '--quiet'], { cwd });
    expect(newer.exitCode).toBe(0);
    expect(fixture.proxy.requests.map((r) => r.method)).toContain('HEAD');
    expect(fixture.proxy.requests.some((r) => r.method === 'GET' && r.path.includes('/blobs/'))).toBe(false);
  });
});
