import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { freePort } from './ports.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/swarm-nodes.sh', import.meta.url));

/** A real swarm of `count` engines on this machine, joined over 127.0.0.1..127.0.0.N. */
export interface SwarmLab {
  /** `unix://...` of each node; the first is the manager. */
  hosts: string[];
  /** A client of each node. */
  nodes: Docker[];
  /** Kills node `index`'s engine (0-based), as a machine that died: it does not leave the swarm. */
  killNode(index: number): Promise<void>;
  /** Leaves the swarm, stops every engine and removes their roots; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the engines and the swarm (scripts/swarm-nodes.sh). The roots are
 * short (`/run/sw<pid>-<n>`): containerd's socket path must fit in 108
 * bytes. A failed start tears down what it started.
 */
export async function startSwarm(count = 3): Promise<SwarmLab> {
  const prefix = `/run/sw${process.pid}-`;
  const port = await freePort();
  const stop = async () => {
    await run('bash', [SCRIPT, 'stop', prefix, String(count)]).catch(() => {});
  };
  let hosts: string[];
  try {
    const started = await run('bash', [SCRIPT, 'start', prefix, String(count), String(port)]);
    hosts = started.stdout.trim().split('\n');
  } catch (error) {
    await stop();
    throw new Error(
      `could not start a ${count}-node swarm: ${(error as { stderr?: string }).stderr ?? error}`,
    );
  }
  return {
    hosts,
    nodes: hosts.map((host) => new Docker({ socketPath: host.replace(/^unix:\/\//, '') })),
    killNode: async (index) => {
      await run('bash', [SCRIPT, 'stop-node', prefix, String(index + 1)]);
    },
    stop,
  };
}
