import { readFileSync } from 'node:fs';
import type Dockerode from 'dockerode';
import type { EngineCandidate } from './discover.js';

/**
 * dockerode options for an endpoint; every field dockerode would read from process.env is set explicitly.
 * @internal dockerode types stay out of the published declarations.
 */
export function dockerodeOptions(
  candidate: EngineCandidate,
  env: Readonly<Record<string, string | undefined>>,
): Dockerode.DockerOptions {
  const blank = {
    host: undefined,
    port: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    timeout: undefined,
  };
  const host = candidate.host;
  if (host.startsWith('unix://')) {
    return { ...blank, socketPath: host.slice('unix://'.length) || '/var/run/docker.sock', protocol: 'http' };
  }
  if (host.startsWith('npipe://')) {
    return {
      ...blank,
      socketPath: host.slice('npipe://'.length) || '//./pipe/docker_engine',
      protocol: 'http',
    };
  }
  const url = new URL(host);
  if (url.protocol === 'ssh:') {
    return {
      ...blank,
      host: url.hostname,
      port: url.port || 22,
      protocol: 'ssh',
      username: decodeURIComponent(url.username) || undefined,
      sshOptions: env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {},
    } as Dockerode.DockerOptions;
  }
  const tls = candidate.tls;
  const read = (path: string | undefined) => (path ? readFileSync(path) : undefined);
  return {
    ...blank,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || (tls ? 2376 : 2375),
    protocol: tls ? 'https' : 'http',
    ...(tls ? { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key) } : {}),
  };
}
