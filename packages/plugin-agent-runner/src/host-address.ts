/** What the container uses to reach the host where host networking does not. */
export const DOCKER_HOST_ALIAS = 'host.docker.internal';

/** `--add-host` entry that points the alias at the engine's way to the host (Docker 20.10+). */
export const HOST_GATEWAY_ENTRY = `${DOCKER_HOST_ALIAS}:host-gateway`;

const LOOPBACK = /(^|\/\/|@)(localhost|127\.0\.0\.1|\[::1\])(?=[:/]|$)/i;

/** True when the address (`localhost:7234`, `http://127.0.0.1:11434`) points at the machine it is used on. */
export function isLoopback(address: string): boolean {
  return LOOPBACK.test(address);
}

/** The address with its loopback host replaced by `host.docker.internal`. */
export function viaHostAlias(address: string): string {
  return address.replace(LOOPBACK, `$1${DOCKER_HOST_ALIAS}`);
}

/**
 * On macOS and Windows the engine runs in a VM: `--network host` is the VM's
 * network, so `localhost` inside the container is not the user's machine.
 * There, loopback hosts in an address (`localhost:7234`, `http://127.0.0.1:11434`)
 * become `host.docker.internal`, as the original CLI did. On Linux they stay.
 */
export function containerAddress(address: string, platform: NodeJS.Platform): string {
  if (platform !== 'darwin' && platform !== 'win32') return address;
  return viaHostAlias(address);
}
