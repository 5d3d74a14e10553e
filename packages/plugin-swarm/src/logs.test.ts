import { Readable } from 'node:stream';
import type { SwarmEngine, SwarmTask } from '@stigmer/core';
import { describe, expect, it } from 'vitest';
import { prefixLines } from './logs.js';

const task = (id: string, slot: number, nodeId: string) => ({ id, slot, nodeId }) as SwarmTask;
const swarm = { tasks: async () => [task('t1', 1, 'n1'), task('t2', 2, 'n2')] } as unknown as SwarmEngine;
const nodes = [
  { id: 'n1', hostname: 'a', address: '', state: 'ready', availability: 'active', role: 'manager' as const },
  { id: 'n2', hostname: 'b', address: '', state: 'ready', availability: 'active', role: 'worker' as const },
];

async function render(chunks: string[]): Promise<string> {
  const out = Readable.from(chunks).pipe(prefixLines(swarm, { id: 's', name: 'svc' }, nodes));
  let text = '';
  for await (const chunk of out) text += chunk;
  return text;
}

describe('prefixLines', () => {
  it("replaces each line's task attributes with the task's name and node, across chunk boundaries", async () => {
    const text = await render([
      'com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s,com.docker.swarm.task.id=t1 hello\ncom.docker.swarm.node.id=n2,com.docker.sw',
      'arm.service.id=s,com.docker.swarm.task.id=t2 world\n',
    ]);
    expect(text).toBe('svc.1@a (n1) | hello\nsvc.2@b (n2) | world\n');
  });

  it('keeps a last line without a newline, and lines without attributes as they are', async () => {
    expect(await render(['plain line\ncom.docker.swarm.task.id=t9 from a task gone'])).toBe(
      'plain line\nsvc.t9 | from a task gone\n',
    );
  });
});
