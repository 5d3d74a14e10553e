import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { projectDir, STIGMER_BIN, stigmer } from '../cli/run.js';
import { harness } from '../harness/context.js';
import { imageId, localTag, made, publishFreshImage, stigmerrc, useFaultProxy } from './helpers.js';

/**
 * What the user sees while an image downloads, in each output mode, and what
 * an interrupted or engine-less pull leaves behind. A slow link (the fault
 * proxy at 2 MB/s) makes the download last long enough to draw.
 */

const fixture = useFaultProxy();
let counter = 0;

/** A fresh image behind the proxy, its layer served slowly; returns the project and names. */
async function slowPull(extra: Record<string, unknown> = {}) {
  const imageTag = `progress-${process.pid}-${++counter}`;
  await publishFreshImage(harness().openRegistry, 'stigmer/fresh', imageTag, 5 * 1024 * 1024);
  fixture.proxy.add({
    target: 'blob',
    fault: { kind: 'slow', bytesPerSecond: 2_000_000 },
    minBytes: 1_000_000,
  });
  const tag = localTag();
  const reference = `${fixture.proxy.host}/stigmer/fresh:${imageTag}`;
  made.push(tag, reference);
  const cwd = await projectDir({
    '.stigmerrc': stigmerrc(
      tag,
      { registry: fixture.proxy.host, repository: 'stigmer/fresh', tag: imageTag },
      extra,
    ),
  });
  return { cwd, tag, reference };
}

describe('progress', () => {
  it('JSON lines on stderr with --json, stdout keeping its one document', async () => {
    const { cwd, reference } = await slowPull();
    const r = await stigmer(['image', 'pull', '--json'], { cwd });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).ok).toBe(true);
    const events = r.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events[0]).toEqual({ event: 'pull-start', reference });
    const progress = events.filter((e) => e.event === 'pull-progress');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toMatchObject({ reference, layers: 2 });
    expect(progress.some((e) => e.bytesPerSecond > 0)).toBe(true);
    const done = events.at(-1);
    expect(done).toMatchObject({ event: 'pull-done', reference, layers: 2, layersDone: 2 });
    expect(done.total).toBeGreaterThan(2_500_000); // the filler layer; busybox is already there
    expect(done.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('plain lines when stderr is not a terminal, nothing with --quiet', async () => {
    const { cwd, reference } = await slowPull();
    const r = await stigmer(['image', 'pull'], { cwd });
    expect(r.exitCode).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`Pulling ${reference}`);
    expect(lines.at(-1)).toMatch(
      new RegExp(`^Pulled ${rx(reference)}: \\d+\\.\\d MB, 2 layers, \\d+\\.\\ds$`),
    );
    expect(r.stderr).not.toContain('\r');

    const quiet = await slowPull();
    const q = await stigmer(['image', 'pull', '--quiet'], { cwd: quiet.cwd });
    expect(q.exitCode).toBe(0);
    expect(q.stderr).toBe('');
  });

  it('plain lines, not a bar, when CI is set even on a terminal', async () => {
    const { cwd, reference } = await slowPull();
    const r = await onTerminal(cwd, { CI: 'true' });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain(`Pulling ${reference}`);
    expect(r.output).not.toContain('[#');
  });

  it('one redrawn bar on a terminal: bytes, rate, layers; no colour with NO_COLOR', async () => {
    const { cwd } = await slowPull();
    const r = await onTerminal(cwd, { NO_COLOR: '1' });
    expect(r.exitCode).toBe(0);
    const frames = r.output.split('\r').filter((frame) => frame.includes('] '));
    expect(frames.length).toBeGreaterThan(3);
    expect(frames.at(-1)).toMatch(
      /\[[#-]+\] \d+\.\d [kM]B \/ \d+\.\d MB {2}\d+\.\d [kM]?B\/s {2}layers \d\/2/,
    );
    expect(r.output).not.toContain('\x1b[36m');

    const coloured = await slowPull();
    const c = await onTerminal(coloured.cwd, {});
    expect(c.output).toContain('\x1b[36m');
  });
});

describe('interrupted and engine down', () => {
  it('SIGINT during a pull exits 130 and leaves no local tag', async () => {
    const imageTag = `interrupt-${process.pid}`;
    await publishFreshImage(harness().openRegistry, 'stigmer/fresh', imageTag);
    fixture.proxy.add({ target: 'blob', fault: { kind: 'stall', afterBytes: 100_000 }, minBytes: 1_000_000 });
    const tag = localTag();
    made.push(tag, `${fixture.proxy.host}/stigmer/fresh:${imageTag}`);
    const cwd = await projectDir({
      '.stigmerrc': stigmerrc(tag, {
        registry: fixture.proxy.host,
        repository: 'stigmer/fresh',
        tag: imageTag,
      }),
    });
    const child = spawn(process.execPath, [STIGMER_BIN, 'image', 'pull'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, DOCKER_HOST: harness().dockerHost },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    // Interrupt once the download has begun (and stalled).
    while (!fixture.proxy.requests.some((q) => q.outcome.startsWith('stall')))
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)));
    expect(code).toBe(130);
    expect(stderr.trimEnd().split('\n').at(-1)).toBe('Interrupted by SIGINT.');
    expect(await imageId(tag)).toBeUndefined();
  });

  it('an unreachable engine: exit 69 with the "Docker is not running" guidance', async () => {
    const cwd = await projectDir({
      '.stigmerrc': stigmerrc(localTag(), { registry: fixture.proxy.host, tag: '0.1.0' }),
    });
    const r = await stigmer(['image', 'pull'], { cwd, env: { DOCKER_HOST: `unix://${cwd}/no-engine.sock` } });
    expect(r.exitCode).toBe(69);
    expect(r.stderr.split('\n')[0]).toBe('Docker is not running. Agent-runner requires Docker.');
    expect(fixture.proxy.requests.filter((q) => q.path.includes('/manifests/'))).toEqual([]);
  });
});

/** Runs `stigmer image pull` on a pseudo-terminal (util-linux `script`), returning what it drew. */
function onTerminal(
  cwd: string,
  env: Record<string, string>,
): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(STIGMER_BIN)} image pull`;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: cwd,
        DOCKER_HOST: harness().dockerHost,
        TERM: 'xterm',
        ...env,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, output }));
  });
}

function rx(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
