import { ServerError } from '../errors.js';
import type { Session } from '../session.js';
import { type LifecycleOptions, serverPlace } from './context.js';
import { findContainer } from './find.js';
import { parseFingerprint, SECRET_PLACEHOLDER } from './fingerprint.js';
import { LABELS } from './labels.js';
import { type ContainerView, containerView } from './view.js';

/** Options of `serverLogs`. */
export interface LogsOptions extends LifecycleOptions {
  follow: boolean;
  /** Lines from the end; undefined for all. */
  tail?: number | undefined;
}

/** The log stream of the agent-runner container. */
export interface ServerLogs {
  container: ContainerView;
  /** Demultiplexed stdout and stderr as text; ends when the container stops (follow) or at once. */
  stream: NodeJS.ReadableStream;
  /**
   * Values of the container's secret environment variables. The program may
   * print them; whoever shows the stream must redact them.
   */
  secrets: string[];
}

/**
 * `stigmer server logs`: the container is found as `status` finds it. No
 * container at all is `SERVER_NOT_FOUND`, with what to do about it.
 */
export async function serverLogs(session: Session, options: LogsOptions): Promise<ServerLogs> {
  const place = serverPlace(session);
  const found = await findContainer(place);
  if (!found) {
    throw new ServerError(
      'SERVER_NOT_FOUND',
      `No agent-runner container to show logs of: none is named ${place.containerName}, and none carries the labels of the data folder ${place.dataDir}. Start it with \`stigmer server start\`.`,
      { details: { containerName: place.containerName, dataDir: place.dataDir } },
    );
  }
  const { info } = found;
  const stream = await session.engine.logs(info.id, {
    follow: options.follow,
    ...(options.tail === undefined ? {} : { tail: options.tail }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { container: containerView(info), stream, secrets: secretValues(info.labels, info.env) };
}

/** Secret values the container runs with: the env keys its recorded spec marks secret. */
function secretValues(labels: Readonly<Record<string, string>>, env: readonly string[]): string[] {
  const recorded = parseFingerprint(labels[LABELS.spec]);
  if (!recorded) return [];
  const keys = new Set(
    Object.entries(recorded.env).flatMap(([k, v]) => (v === SECRET_PLACEHOLDER ? [k] : [])),
  );
  return env.flatMap((entry) => {
    const eq = entry.indexOf('=');
    return eq > 0 && keys.has(entry.slice(0, eq)) && entry.length > eq + 1 ? [entry.slice(eq + 1)] : [];
  });
}
