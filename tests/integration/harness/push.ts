import type Docker from 'dockerode';
import { authConfig, type Credentials } from './credentials.js';
import { followProgress } from './progress.js';

/** Where to push: `<registry>/<repository>:<tag>`. */
export interface PushTarget {
  /** `127.0.0.1:<port>` */
  registry: string;
  /** e.g. `stigmer/agent-runner` */
  repository: string;
  tag: string;
  /** Omit to push anonymously. */
  credentials?: Credentials;
}

/**
 * Tags a local image (`source`: id or reference) as the target and pushes it,
 * returning the pushed reference. The tag stays in the engine; remove it with
 * removeImages when done. Throws on a rejected request *and* on an error event
 * in the push stream (an auth failure arrives as the latter).
 */
export async function pushImage(docker: Docker, source: string, target: PushTarget): Promise<string> {
  const repo = `${target.registry}/${target.repository}`;
  const ref = `${repo}:${target.tag}`;
  await docker.getImage(source).tag({ repo, tag: target.tag });
  const stream = await docker.getImage(repo).push({
    tag: target.tag,
    authconfig: authConfig(target.registry, target.credentials),
  });
  await followProgress(docker, stream, `push ${ref}`);
  return ref;
}
