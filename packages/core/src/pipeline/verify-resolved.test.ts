import { describe, expect, it } from 'vitest';
import type { Engine } from '../engine/types.js';
import { imageInfo as info } from '../test-support/image-info.js';
import type { TraceEntry } from '../trace/trace.js';
import { verifyResolved } from './verify-resolved.js';

/** An engine whose image `a:b` is `sha256:engine`, counting the inspects. */
function engine() {
  const asked: string[] = [];
  const fake = {
    inspectImage: async (reference: string) => {
      asked.push(reference);
      return reference === 'a:b' ? info('sha256:engine') : undefined;
    },
  } as unknown as Engine;
  return { fake, asked };
}

const entry = (): TraceEntry => ({
  seq: 1,
  hook: 'resolveImage',
  plugin: 'p',
  outcome: 'resolved',
  durationMs: 0,
  messages: [],
});
const image = (id: string) => ({ reference: 'a:b', id, source: 's' });

describe('verifyResolved', () => {
  it('does not ask the engine again what the resolver just read from it, when it says the same', async () => {
    const { fake, asked } = engine();
    await verifyResolved(fake, image('sha256:engine'), entry(), new Map([['a:b', info('sha256:engine')]]));
    expect(asked).toEqual([]);
  });

  it('asks the engine when the resolver claims another id than the engine told it', async () => {
    const { fake, asked } = engine();
    const resolver = entry();
    await expect(
      verifyResolved(fake, image('sha256:claimed'), resolver, new Map([['a:b', info('sha256:engine')]])),
    ).rejects.toMatchObject({ code: 'PLUGIN_INVALID_RESULT' });
    expect(asked).toEqual(['a:b']);
    expect(resolver.outcome).toBe('failed');
  });

  it('asks the engine when the resolver read nothing about that reference', async () => {
    const { fake, asked } = engine();
    await verifyResolved(fake, image('sha256:engine'), entry(), new Map([['other:tag', info('sha256:x')]]));
    expect(asked).toEqual(['a:b']);
  });

  it('asks the engine after a resolver that read an older id (it built or pulled since)', async () => {
    const { fake, asked } = engine();
    await verifyResolved(fake, image('sha256:engine'), entry(), new Map([['a:b', info('sha256:old')]]));
    expect(asked).toEqual(['a:b']);
  });
});
