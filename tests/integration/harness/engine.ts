import Docker from 'dockerode';

/**
 * Finding the Docker engine the integration tests talk to.
 *
 * The tests exercise a real engine on purpose: the behaviours they check
 * (pull streams that report errors mid-stream, registry auth, image labels)
 * are the engine's, and a mock would only restate our assumptions.
 * So an unreachable engine is an error, never a reason to skip.
 */

const DEFAULT_SOCKET = '/var/run/docker.sock';

/** How to reach the engine, as dockerode options plus a printable address. */
export interface EngineAddress {
  /** `unix:///path` or the DOCKER_HOST value, for messages and for the tests. */
  dockerHost: string;
  options: Docker.DockerOptions;
}

export class EngineUnavailableError extends Error {
  constructor(dockerHost: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      [
        `Integration tests need a Docker engine, and none answered at ${dockerHost} (${reason}).`,
        'Provision one with `sudo bash scripts/start-dockerd.sh` (starts dockerd if none runs),',
        'or run the whole CI sequence with `.ci/run` (installs docker.io and friends first).',
        'To run the unit tests alone, without an engine: `npm run test:unit`.',
      ].join('\n'),
      { cause },
    );
    this.name = 'EngineUnavailableError';
  }
}

/**
 * DOCKER_HOST wins when set, as it does for the docker CLI. A unix:// value is
 * turned into a socketPath; any other scheme is left to dockerode, which reads
 * DOCKER_HOST (and DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) itself.
 */
export function engineAddress(env: NodeJS.ProcessEnv = process.env): EngineAddress {
  const host = env.DOCKER_HOST?.trim();
  if (!host) {
    return { dockerHost: `unix://${DEFAULT_SOCKET}`, options: { socketPath: DEFAULT_SOCKET } };
  }
  if (host.startsWith('unix://')) {
    return { dockerHost: host, options: { socketPath: host.slice('unix://'.length) } };
  }
  return { dockerHost: host, options: {} };
}

/** A dockerode client for the engine, without checking that it answers. */
export function dockerClient(address: EngineAddress = engineAddress()): Docker {
  return new Docker(address.options);
}

/**
 * A dockerode client for an engine that has just answered a ping.
 * Throws EngineUnavailableError, with provisioning advice, otherwise.
 */
export async function connectEngine(address: EngineAddress = engineAddress()): Promise<Docker> {
  const docker = dockerClient(address);
  try {
    // A short timeout: a dead socket refuses at once, but a wedged engine
    // would otherwise hang the whole run until vitest's hook timeout.
    await pingWithin(docker, 5_000);
  } catch (error) {
    throw new EngineUnavailableError(address.dockerHost, error);
  }
  return docker;
}

async function pingWithin(docker: Docker, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to /_ping within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([docker.ping(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
