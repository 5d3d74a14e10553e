import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/offline-engine.sh', import.meta.url));

/** A Docker engine on a "machine" without network (see scripts/offline-engine.sh). */
export interface OfflineEngine {
  /** `unix://...`: reachable from outside the namespace, like any engine socket. */
  dockerHost: string;
  /** The network namespace's path: run a process inside with `nsenter --net=<netns> ...`. */
  netns: string;
  stop(): Promise<void>;
}

/**
 * Starts an engine in a network namespace of its own with only loopback,
 * where every DNS name is answered "no such host": the DNS failure of a
 * machine that cannot resolve a registry, with no packet leaving the machine.
 * Needs root, as the rest of the integration tests.
 */
export async function startOfflineEngine(): Promise<OfflineEngine> {
  // Short: containerd's socket path under it must fit in 108 bytes.
  const root = path.join('/run', `so-${process.pid}`);
  const started = await run('bash', [SCRIPT, 'start', root]).catch((error: { stderr?: string }) => {
    throw new Error(
      `could not start the offline engine (scripts/offline-engine.sh start ${root}): ${error.stderr ?? error}`,
    );
  });
  const netns = (await run('bash', [SCRIPT, 'netns', root])).stdout.trim();
  return {
    dockerHost: started.stdout.trim(),
    netns,
    stop: async () => {
      await run('bash', [SCRIPT, 'stop', root]);
    },
  };
}
