import type Docker from 'dockerode';
import { authConfig, type Credentials } from './credentials.js';
import { followProgress, type ProgressEvent } from './progress.js';

/**
 * Pulls `ref` (`127.0.0.1:<port>/<repository>:<tag>`) and returns the stream's
 * events. A pull fails in one of two ways: the request is rejected before any
 * streaming (e.g. 404 "pull access denied", 500 "unauthorized"), or an error
 * event arrives mid-stream. Both become a thrown Error here, so tests can
 * assert on one message.
 */
export async function pullImage(
  docker: Docker,
  ref: string,
  credentials?: Credentials,
): Promise<ProgressEvent[]> {
  const options = credentials ? { authconfig: authConfig(registryOf(ref), credentials) } : {};
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(ref, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`pull ${ref} failed: ${message}`, { cause: error });
  }
  return followProgress(docker, stream, `pull ${ref}`);
}

/** The registry part of a reference: everything before the first '/'. */
function registryOf(ref: string): string {
  return ref.slice(0, Math.max(0, ref.indexOf('/')));
}
