import { describe, expect, it } from 'vitest';
import { imageInfo as info } from '../test-support/image-info.js';
import { recordingInspects } from './inspect-record.js';
import type { Engine } from './types.js';

/** An engine that knows `remote:1` as `sha256:a`, and records what it was asked. */
function fakeEngine() {
  const calls: string[] = [];
  const engine = {
    inspectImage: async (reference: string) => {
      calls.push(`inspect ${reference}`);
      return reference === 'remote:1' ? info('sha256:a') : undefined;
    },
    tag: async (source: string, target: string) => {
      calls.push(`tag ${source} ${target}`);
    },
    removeImage: async (reference: string) => {
      calls.push(`remove ${reference}`);
    },
    pull: async (reference: string) => {
      calls.push(`pull ${reference}`);
      return { reference, digest: undefined };
    },
    platform: async () => 'linux/amd64',
  } as unknown as Engine;
  return { engine, calls };
}

describe('recordingInspects', () => {
  it('remembers inspect answers, missing images included, and passes every call to the engine', async () => {
    const { engine, calls } = fakeEngine();
    const { engine: recording, answers } = recordingInspects(engine);
    expect(await recording.inspectImage('remote:1')).toEqual(info('sha256:a'));
    expect(await recording.inspectImage('local:x')).toBeUndefined();
    expect(await recording.platform()).toBe('linux/amd64');
    expect([...answers.entries()]).toEqual([
      ['remote:1', info('sha256:a')],
      ['local:x', undefined],
    ]);
    expect(calls).toEqual(['inspect remote:1', 'inspect local:x']);
  });

  it('a tag by id or name makes the new name that image', async () => {
    const { engine } = fakeEngine();
    const { engine: recording, answers } = recordingInspects(engine);
    await recording.inspectImage('remote:1');
    await recording.tag('sha256:a', 'local:x');
    await recording.tag('remote:1', 'local:y');
    expect(answers.get('local:x')?.id).toBe('sha256:a');
    expect(answers.get('local:y')?.id).toBe('sha256:a');
    await recording.tag('sha256:unknown', 'local:z');
    expect(answers.has('local:z')).toBe(false);
  });

  it('forgets a name that a pull or a removal may change, and every name of an image removed by id', async () => {
    const { engine } = fakeEngine();
    const { engine: recording, answers } = recordingInspects(engine);
    await recording.inspectImage('remote:1');
    await recording.tag('sha256:a', 'local:x');
    await recording.pull('remote:1');
    expect(answers.has('remote:1')).toBe(false);
    expect(answers.get('local:x')?.id).toBe('sha256:a');
    await recording.removeImage('sha256:a');
    expect(answers.size).toBe(0);
  });
});
