import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine, ImageInfo } from '../engine/types.js';
import type { ResolveRequest } from '../image/types.js';
import type { HookContext } from '../plugin/context.js';
import { withRuntime } from '../plugin/runtime.js';
import { writeCheck } from './check-record.js';
import { pullDecision } from './pull-decision.js';

// The branches that never reach a registry; the manifest HEAD itself is
// proven against real registries in tests/integration/plugins/registry.test.ts.

const REFERENCE = '127.0.0.1:9/stigmer/agent-runner:v1';
const DIGEST = `sha256:${'a'.repeat(64)}`;

function image(platform = 'linux/amd64'): ImageInfo {
  return {
    id: `sha256:${'b'.repeat(64)}`,
    repoTags: ['runner:local'],
    repoDigests: [`127.0.0.1:9/stigmer/agent-runner@${DIGEST}`],
    platform,
    labels: {},
    created: '',
    sizeBytes: 1,
  };
}

/** A context whose engine holds `local` (or nothing), and whose network must never be used. */
function context(local: ImageInfo | undefined, dataDir: string): HookContext<unknown> {
  const engine = {
    inspectImage: async () => local,
    platform: async () => 'linux/amd64',
  } as unknown as Engine;
  return withRuntime({
    plugin: { name: 'test', version: '0' },
    hook: 'resolveImage',
    options: {},
    signal: new AbortController().signal,
    engine,
    run: {
      cliVersion: '0.1.0',
      cwd: dataDir,
      configFile: undefined,
      env: {},
      trace: [],
      plugins: [],
      settings: {},
      dataDir,
    },
    log: { debug() {}, info() {}, warn() {} },
    note() {},
    progress() {},
    credentials: async () => {
      throw new Error('the registry must not be asked');
    },
  });
}

const request = (changes: Partial<ResolveRequest>): ResolveRequest => ({
  localTag: 'runner:local',
  platform: undefined,
  purpose: 'resolve',
  pullPolicy: 'missing',
  offline: false,
  build: false,
  cliVersion: '0.1.0',
  ...changes,
});

describe('pullDecision without asking a registry', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'stigmer-decision-'));

  it.each([
    [{ offline: true, pullPolicy: 'always' as const }, 'skip', `not pulling ${REFERENCE}: offline mode`],
    [{ pullPolicy: 'never' as const }, 'skip', `not pulling ${REFERENCE}: pull policy is never`],
    [{ purpose: 'pull' as const }, 'pull', 'a pull was asked for'],
    [{ pullPolicy: 'always' as const }, 'pull', 'pull policy is always'],
  ])('%j → %s', async (changes, action, reason) => {
    expect(await pullDecision(context(image(), dataDir), request(changes), REFERENCE)).toEqual({
      action,
      reason,
    });
  });

  it('missing: uses the local image when it is there for the platform, else pulls', async () => {
    const here = await pullDecision(context(image(), dataDir), request({}), REFERENCE);
    expect(here).toMatchObject({
      action: 'use-local',
      image: { reference: 'runner:local', digest: expect.any(String) },
    });
    const other = await pullDecision(context(image('linux/arm64'), dataDir), request({}), REFERENCE);
    expect(other).toEqual({ action: 'pull', reason: 'runner:local is not in the local engine' });
  });

  it('newer with an interval: a recent check of the digest the local image has is enough', async () => {
    await writeCheck(dataDir, 'runner:local', {
      checkedAt: new Date(Date.now() - 60_000).toISOString(),
      digest: DIGEST,
      reference: REFERENCE,
    });
    const decision = await pullDecision(
      context(image(), dataDir),
      request({ pullPolicy: 'newer', pullInterval: 3_600_000 }),
      REFERENCE,
    );
    expect(decision).toMatchObject({ action: 'use-local' });
    expect(decision.reason).toMatch(
      /^checked 127\.0\.0\.1:9\/stigmer\/agent-runner:v1 60(\.\d)?s ago, within the 60m interval$/,
    );
  });

  it('newer with an interval: an older check, or one of another digest, asks the registry again', async () => {
    for (const [age, digest] of [
      [2 * 3_600_000, DIGEST],
      [60_000, `sha256:${'c'.repeat(64)}`],
    ] as const) {
      await writeCheck(dataDir, 'runner:local', {
        checkedAt: new Date(Date.now() - age).toISOString(),
        digest,
        reference: REFERENCE,
      });
      await expect(
        pullDecision(
          context(image(), dataDir),
          request({ pullPolicy: 'newer', pullInterval: 3_600_000 }),
          REFERENCE,
        ),
      ).rejects.toThrow('the registry must not be asked');
    }
  });
});
