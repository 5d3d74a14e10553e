import { Transform } from 'node:stream';
import type { SwarmEngine, SwarmNode } from '@stigmer/core';
import { nodeName } from './deployment.js';

const TASK_ATTRIBUTE = /(?:^|,)com\.docker\.swarm\.task\.id=([a-z0-9]+)/;

/**
 * The service's output with each line's task attributes (`details=true`)
 * replaced by a prefix naming the task and its node, as `docker service
 * logs` prints it: `stigmer-agent-runner.2@vm (127.0.0.2) | line`.
 */
export function prefixLines(
  swarm: SwarmEngine,
  service: { id: string; name: string },
  nodes: readonly SwarmNode[],
): Transform {
  const names = new Map<string, string>();
  let pending = '';
  const prefixOf = async (taskId: string): Promise<string> => {
    if (!names.has(taskId)) {
      for (const task of await swarm.tasks(service.id)) {
        const node = nodeName(task.nodeId, nodes);
        names.set(task.id, `${service.name}.${task.slot}${node ? `@${node}` : ''}`);
      }
    }
    return names.get(taskId) ?? `${service.name}.${taskId.slice(0, 12)}`;
  };
  const render = async (line: string): Promise<string> => {
    const space = line.indexOf(' ');
    const attributes = space < 0 ? line : line.slice(0, space);
    const task = TASK_ATTRIBUTE.exec(attributes)?.[1];
    if (!task) return `${line}\n`;
    return `${await prefixOf(task)} | ${line.slice(space + 1)}\n`;
  };
  return new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      Promise.all(lines.map(render)).then(
        (rendered) => done(null, rendered.join('')),
        (error: unknown) => done(error as Error),
      );
    },
    flush(done) {
      if (!pending) return done();
      render(pending).then(
        (text) => done(null, text),
        (error: unknown) => done(error as Error),
      );
    },
  });
}

/**
 * The last lines the service printed (every task, prefixed), for the error of
 * a start that failed: what the runner said before it exited is usually why.
 * Best effort: bounded in time, and nothing when the engine has nothing.
 */
export async function lastLines(
  swarm: SwarmEngine,
  service: { id: string; name: string },
  nodes: readonly SwarmNode[],
  count = 8,
): Promise<string[]> {
  try {
    const signal = AbortSignal.timeout(5000);
    const raw = await swarm.logs(service.id, { follow: false, tail: count, signal });
    let text = '';
    for await (const chunk of raw.pipe(prefixLines(swarm, service, nodes))) text += chunk;
    return text.split('\n').filter(Boolean).slice(-count);
  } catch {
    return [];
  }
}
