import type { ContainerInfo } from '../engine/types.js';
import { ServerError } from '../errors.js';
import { isOurs, LABELS } from './labels.js';

/**
 * True when stigmer may stop, replace or remove `info`: it carries stigmer's
 * labels for this very data folder. A container without them is someone
 * else's, and one of another data folder belongs to another stigmer (maybe
 * half-made by a start running at this moment): neither is ever touched.
 */
export function ownedHere(info: ContainerInfo, dataDir: string): boolean {
  return isOurs(info.labels) && info.labels[LABELS.dataDir] === dataDir;
}

/**
 * The error for a container name held by a container stigmer does not own
 * here: who it belongs to, what it is, and the two ways out (remove it, or
 * use another name). Nothing was done to it.
 */
export function nameTaken(info: ContainerInfo, dataDir: string): ServerError {
  const otherDir = isOurs(info.labels) ? info.labels[LABELS.dataDir] : undefined;
  const whose = otherDir
    ? `stigmer started it for another data folder (${otherDir})`
    : 'stigmer did not start it (it has no org.stigmer labels for this data folder)';
  const remove = otherDir
    ? `stop it from its own data folder (\`STIGMER_DATA_DIR=${otherDir} stigmer server stop\`)`
    : `remove it yourself if it is not needed (\`docker rm -f ${info.name}\`)`;
  return new ServerError(
    'SERVER_NAME_TAKEN',
    [
      `A container named ${info.name} already exists and ${whose}; stigmer left it alone.`,
      `It is ${info.state} (id ${info.id.slice(0, 12)}, image ${info.image}).`,
      `To fix: ${remove}, or give this data folder's agent-runner another name with "server.containerName" (STIGMER_CONTAINER_NAME).`,
    ].join('\n'),
    {
      details: {
        container: info.name,
        id: info.id,
        state: info.state,
        ...(otherDir ? { dataDir: otherDir } : {}),
        ourDataDir: dataDir,
      },
    },
  );
}
