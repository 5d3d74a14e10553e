import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import ssh2 from 'ssh2';

/**
 * An SSH server on loopback that does for a Docker client what a remote
 * host's sshd does for `DOCKER_HOST=ssh://user@host`: it accepts the
 * session (any user, no password: loopback only) and answers the `docker
 * system dial-stdio` exec by connecting it to the engine's socket. It
 * records every command it was asked to run.
 */
export interface SshEngineServer {
  /** `ssh://stigmer@127.0.0.1:<port>` */
  dockerHost: string;
  commands: string[];
  stop(): Promise<void>;
}

export async function startSshEngineServer(engineSocket: string): Promise<SshEngineServer> {
  const commands: string[] = [];
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519').private;
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (context) => context.accept());
    client.on('error', () => {}); // a client that goes away mid-session is not this server's problem
    client.on('session', (accept) => {
      accept().on('exec', (acceptExec, reject, info) => {
        commands.push(info.command);
        if (info.command !== 'docker system dial-stdio') return reject();
        const stream = acceptExec();
        const engine = connect(engineSocket);
        engine.on('error', () => stream.close());
        stream.on('close', () => engine.destroy());
        stream.pipe(engine).pipe(stream);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dockerHost: `ssh://stigmer@127.0.0.1:${port}`,
    commands,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
