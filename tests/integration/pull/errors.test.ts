import { describe, expect, it } from 'vitest';
import { projectDir, stigmer } from '../cli/run.js';
import { harness, harnessDocker } from '../harness/context.js';
import { escapeRegExp } from '../harness/regexp.js';
import {
  buildHintLines,
  FAST_PULL,
  imageId,
  localTag,
  made,
  publishFreshImage,
  stigmerrc,
  triedLines,
  useFaultProxy,
} from './helpers.js';

/**
 * Every failure class of a pull, against the real engine and registries with
 * the fault proxy in between: the exact message (the class's own, then the
 * original CLI's build hint with the real reference and error), the exit
 * code, what was retried, and that no local tag is left behind.
 */

/** A failed pull's whole output: its classified message, then the build hint, then what each plugin tried. */
function failedPull(r: { reference: string; tag: string }, classified: string[], said: string): string {
  return [
    ...classified,
    '',
    ...buildHintLines(r.reference, said, r.tag),
    '',
    ...triedLines(r.tag, classified[0] as string, 'pull'),
    '',
  ].join('\n');
}

const fixture = useFaultProxy();

const RETRIES_HINT = '"pull.retries" (STIGMER_PULL_RETRIES) sets how many times stigmer retries.';

/** `stigmer image pull` in a project whose ghcr plugin points at `registry`. */
async function pull(
  ghcr: { registry: string; tag: string; repository?: string },
  options: { extra?: Record<string, unknown>; args?: string[] } = {},
) {
  const tag = localTag();
  const reference = `${ghcr.registry}/${ghcr.repository ?? 'stigmer/agent-runner'}:${ghcr.tag}`;
  made.push(tag, reference);
  const cwd = await projectDir({ '.stigmerrc': stigmerrc(tag, ghcr, options.extra ?? FAST_PULL) });
  const started = Date.now();
  const result = await stigmer(['image', 'pull', ...(options.args ?? ['--quiet'])], { cwd });
  return { ...result, tag, reference, ms: Date.now() - started };
}

const manifestRequests = () => fixture.proxy.requests.filter((r) => r.path.includes('/manifests/')).length;

describe('stigmer image pull', () => {
  it('pulls through the registry plugin even when the local image exists, and re-tags it', async () => {
    const tag = localTag();
    const [repo, t] = tag.split(':') as [string, string];
    await harnessDocker().getImage(harness().testImage.id).tag({ repo, tag: t });
    made.push(tag, `${fixture.proxy.host}/stigmer/agent-runner:0.1.0`);
    const cwd = await projectDir({
      '.stigmerrc': stigmerrc(tag, { registry: fixture.proxy.host, tag: '0.1.0' }, FAST_PULL),
    });
    const r = await stigmer(['image', 'pull', '--explain'], { cwd });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`skipped: a pull was asked for, so ${tag} is not reused`);
    expect(manifestRequests()).toBeGreaterThan(0);
    expect(await imageId(tag)).toBe(harness().testImage.id);
  });
});

describe('not found', () => {
  it("passes to the build hint with the engine's words, exit 3, no tag", async () => {
    const r = await pull({ registry: harness().openRegistry, tag: 'no-such-tag' });
    expect(r.exitCode).toBe(3);
    const lines = r.stderr.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'Docker image not found locally and pull from registry failed.',
      '',
      `Registry pull attempted: ${r.reference}`,
      `Error: manifest for ${r.reference} not found: manifest unknown: manifest unknown`,
    ]);
    expect(lines).toContain(
      `  - stigmer:ghcr: pull of ${r.reference} failed (manifest for ${r.reference} not found: manifest unknown: manifest unknown)`,
    );
    expect(await imageId(r.tag)).toBeUndefined();
  });
});

describe('unauthorized or denied', () => {
  it('a private repository pulled anonymously: exit 7, what was tried and how to log in', async () => {
    const registry = harness().tokenRegistry;
    const r = await pull({ registry, repository: 'stigmer/private-runner', tag: '0.1.0' });
    expect(r.exitCode).toBe(7);
    const said = `pull access denied for ${registry}/stigmer/private-runner, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`;
    expect(r.stderr).toBe(
      failedPull(
        r,
        [
          `The registry refused to let stigmer pull ${r.reference}: it needs credentials, or the repository does not exist (tried anonymously).`,
          `Registry said: ${said}`,
          // Not ghcr.io, nor named in githubTokenHosts: no advice to hand it a GitHub token.
          `To fix: log in with \`docker login ${registry}\`; then run the command again. \`--explain\` shows which credential source was used.`,
        ],
        said,
      ),
    );
    expect(await imageId(r.tag)).toBeUndefined();
  });
});

describe('rate limited', () => {
  it('waits as long as Retry-After says, then succeeds', async () => {
    // The engine retries a manifest request once by itself: two 429s make it
    // give up, the third is stigmer's own question for Retry-After.
    fixture.proxy.add({
      target: 'manifest',
      fault: { kind: 'status', status: 429, retryAfter: '2' },
      times: 3,
    });
    const r = await pull({ registry: fixture.proxy.host, tag: '0.1.0' }, { args: [] });
    expect(r.stderr).toContain(
      `Retrying ${r.reference} in 2.0s (attempt 2): rate limited: toomanyrequests: rate limit exceeded (fault proxy)\n`,
    );
    expect(r.exitCode).toBe(0);
    expect(r.ms).toBeGreaterThanOrEqual(2000);
    expect(await imageId(r.tag)).toBe(harness().testImage.id);
  });

  it('gives up after the configured retries: exit 8 and what to do', async () => {
    fixture.proxy.add({ target: 'manifest', fault: { kind: 'status', status: 429, retryAfter: '1' } });
    const r = await pull({ registry: fixture.proxy.host, tag: '0.1.0' });
    expect(r.exitCode).toBe(8);
    const said = 'toomanyrequests: rate limit exceeded (fault proxy)';
    expect(r.stderr).toBe(
      failedPull(
        r,
        [
          `The registry rate-limited the pull of ${r.reference} (HTTP 429); stigmer tried 2 times, waiting between attempts, and gave up.`,
          `Registry said: ${said}`,
          `To fix: wait a while and run the command again, or log in with \`docker login ${fixture.proxy.host}\` for a higher limit. ${RETRIES_HINT}`,
        ],
        said,
      ),
    );
    expect(await imageId(r.tag)).toBeUndefined();
  });

  it('does not wait for a Retry-After longer than it allows', async () => {
    fixture.proxy.add({ target: 'manifest', fault: { kind: 'status', status: 429, retryAfter: '3600' } });
    const r = await pull({ registry: fixture.proxy.host, tag: '0.1.0' });
    expect(r.exitCode).toBe(8);
    expect(r.stderr.split('\n')[0]).toBe(
      `The registry rate-limited the pull of ${r.reference} (HTTP 429) and asks to wait 60m, longer than stigmer waits; stigmer tried once.`,
    );
    expect(r.ms).toBeLessThan(10_000);
  });
});

describe('transient', () => {
  it('retries a 5xx with backoff and succeeds', async () => {
    fixture.proxy.add({ target: 'manifest', fault: { kind: 'status', status: 503 }, times: 2 });
    const r = await pull({ registry: fixture.proxy.host, tag: '0.1.0' }, { args: [] });
    expect(r.stderr).toMatch(
      new RegExp(
        `^Retrying ${escapeRegExp(r.reference)} in \\d\\.\\ds \\(attempt 2\\): temporary error: received unexpected HTTP status: 503 Service Unavailable$`,
        'm',
      ),
    );
    expect(r.exitCode).toBe(0);
    expect(await imageId(r.tag)).toBe(harness().testImage.id);
  });

  it('gives up on a registry that keeps answering 500: exit 9', async () => {
    fixture.proxy.add({ target: 'manifest', fault: { kind: 'status', status: 500 } });
    const r = await pull({ registry: fixture.proxy.host, tag: '0.1.0' });
    expect(r.exitCode).toBe(9);
    const said = 'received unexpected HTTP status: 500 Internal Server Error';
    expect(r.stderr).toBe(
      failedPull(
        r,
        [
          `Pulling ${r.reference} failed with a temporary error; stigmer tried 2 times, backing off between attempts, and gave up.`,
          `Last error: ${said}`,
          `To fix: check the network and the registry, then run the command again. ${RETRIES_HINT}`,
        ],
        said,
      ),
    );
    expect(manifestRequests()).toBe(4);
  });

  it('treats a connection reset as temporary: exit 9 after retries', async () => {
    fixture.proxy.add({ target: 'manifest', fault: { kind: 'reset' } });
    const r = await pull({ registry: fixture.proxy.host, tag: '0.1.0' });
    expect(r.exitCode).toBe(9);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      `Pulling ${r.reference} failed with a temporary error; stigmer tried 2 times, backing off between attempts, and gave up.`,
      `Last error: Head "http://${fixture.proxy.host}/v2/stigmer/agent-runner/manifests/0.1.0": EOF`,
    ]);
  });

  it('survives a blob cut mid-transfer and records the digest', async () => {
    await publishFreshImage(harness().openRegistry, 'stigmer/fresh', `cut-${process.pid}`);
    fixture.proxy.add({
      target: 'blob',
      fault: { kind: 'cut', afterBytes: 1_000_000 },
      minBytes: 1_000_000,
      times: 1,
    });
    const r = await pull(
      { registry: fixture.proxy.host, repository: 'stigmer/fresh', tag: `cut-${process.pid}` },
      { args: ['--json'] },
    );
    expect(r.exitCode).toBe(0);
    expect(fixture.proxy.requests.some((q) => q.outcome === 'cut after 1000000 bytes')).toBe(true);
    const doc = JSON.parse(r.stdout);
    expect(doc.image.digest).toMatch(
      new RegExp(`^${escapeRegExp(fixture.proxy.host)}/stigmer/fresh@sha256:[0-9a-f]{64}$`),
    );
    expect(await imageId(r.tag)).toBe(doc.image.id);
  });
});

describe('stalled', () => {
  it('closes a stalled pull, retries, and succeeds once the registry moves again', async () => {
    await publishFreshImage(harness().openRegistry, 'stigmer/fresh', `stall1-${process.pid}`);
    fixture.proxy.add({
      target: 'blob',
      fault: { kind: 'stall', afterBytes: 500_000 },
      minBytes: 1_000_000,
      times: 1,
    });
    const r = await pull(
      { registry: fixture.proxy.host, repository: 'stigmer/fresh', tag: `stall1-${process.pid}` },
      { args: [] },
    );
    expect(r.stderr).toContain(`Retrying ${r.reference} in `);
    expect(r.stderr).toContain('(attempt 2): stalled: no progress for 2s\n');
    expect(r.exitCode).toBe(0);
    // stigmer closed its request and pulled again: the engine fetched the stalled blob anew
    // instead of waiting on the old transfer.
    const stalledPath = fixture.proxy.requests.find((q) => q.outcome.startsWith('stall'))?.path;
    expect(fixture.proxy.requests.filter((q) => q.path === stalledPath)).toHaveLength(2);
    expect(await imageId(r.tag)).toBeDefined();
    // The engine itself keeps its stalled registry connection open (it has no read
    // timeout); afterEach tears it down, as a real network eventually would.
  });

  it('gives up after the retries: exit 11, and the engine is not left wedged', async () => {
    const imageTag = `stall2-${process.pid}`;
    await publishFreshImage(harness().openRegistry, 'stigmer/fresh', imageTag);
    fixture.proxy.add({ target: 'blob', fault: { kind: 'stall', afterBytes: 500_000 }, minBytes: 1_000_000 });
    const r = await pull({ registry: fixture.proxy.host, repository: 'stigmer/fresh', tag: imageTag });
    expect(r.exitCode).toBe(11);
    expect(r.stderr).toBe(
      failedPull(
        r,
        [
          `Pulling ${r.reference} stalled: no progress for 2s, 2 times; stigmer closed the pull each time.`,
          'To fix: check the network and run the command again; raise "pull.stallTimeout" (STIGMER_PULL_STALL_TIMEOUT) for slow links. If the next pull hangs at once, the engine is still waiting on the stalled download: it ends when the registry connection closes, or when the Docker engine restarts.',
        ],
        'no progress for 2s',
      ),
    );
    expect(await imageId(r.tag)).toBeUndefined();
    // The engine still holds its stalled registry connections: tear them down.
    expect(fixture.proxy.stalledCount()).toBeGreaterThan(0);
    fixture.proxy.closeStalled();
    // The same image then pulls at once: nothing in the engine is left wedged.
    fixture.proxy.clear();
    const again = await pull({ registry: fixture.proxy.host, repository: 'stigmer/fresh', tag: imageTag });
    expect(again.exitCode).toBe(0);
    expect(again.ms).toBeLessThan(10_000);
  });
});
