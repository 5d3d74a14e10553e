import type Dockerode from 'dockerode';
import { type EngineError, interruption } from '../errors.js';
import { streamLogs } from './container-logs.js';
import type { CallDeadline } from './deadline.js';
import { toAuthConfig } from './pull.js';
import type {
  SwarmEngine,
  SwarmNode,
  SwarmSecret,
  SwarmService,
  SwarmServiceSpec,
  SwarmTask,
} from './swarm-types.js';
import type { RegistryAuth } from './types.js';

/** How the Swarm facade reaches the engine: the DockerEngine's client, deadlines and error mapping. */
export interface SwarmCalls {
  client(): Promise<Dockerode>;
  /** One request with the engine's deadline; listed statuses resolve to `fallback`. */
  call<T>(
    operation: string,
    run: (docker: Dockerode, abortSignal: AbortSignal) => Promise<T>,
    options?: { tolerate?: { statuses: number[]; fallback: T }; timeoutMs?: number },
  ): Promise<T>;
  mapError(error: unknown, operation: string): EngineError;
  deadline(signal: AbortSignal | undefined): CallDeadline;
  failure(error: unknown, operation: string, deadline: CallDeadline): Error;
}

/** A push may move large layers: it is bounded by the caller's signal, not by the quick-call deadline. */
const PUSH_TIMEOUT_MS = 60 * 60_000;

/**
 * The Swarm API on dockerode.
 * @internal dockerode types stay out of the published declarations.
 */
export class DockerSwarm implements SwarmEngine {
  readonly #calls: SwarmCalls;

  constructor(calls: SwarmCalls) {
    this.#calls = calls;
  }

  async state(): Promise<{ state: string; nodeId: string; manager: boolean }> {
    const info = await this.#calls.call('read its swarm state', (docker) => docker.info());
    const swarm = (
      info as { Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean } }
    ).Swarm;
    return {
      state: swarm?.LocalNodeState || 'inactive',
      nodeId: swarm?.NodeID ?? '',
      manager: Boolean(swarm?.ControlAvailable),
    };
  }

  async nodes(): Promise<SwarmNode[]> {
    const nodes = await this.#calls.call('list the swarm nodes', (docker, abortSignal) =>
      docker.listNodes({ abortSignal } as object),
    );
    return (nodes as RawNode[]).map((node) => ({
      id: node.ID,
      hostname: node.Description?.Hostname ?? '',
      address: node.Status?.Addr ?? '',
      state: node.Status?.State ?? 'unknown',
      availability: node.Spec?.Availability ?? 'active',
      role: node.Spec?.Role === 'manager' ? 'manager' : 'worker',
    }));
  }

  async inspectService(nameOrId: string): Promise<SwarmService | undefined> {
    const raw = await this.#calls.call(
      `inspect service ${nameOrId}`,
      (docker, abortSignal) => docker.getService(nameOrId).inspect({ abortSignal } as object),
      { tolerate: { statuses: [404], fallback: undefined } },
    );
    return raw ? toService(raw as RawService) : undefined;
  }

  async createService(
    spec: SwarmServiceSpec,
    options: { auth?: RegistryAuth | undefined } = {},
  ): Promise<string> {
    const created = await this.#calls.call(`create service ${String(spec.Name)}`, (docker, abortSignal) => {
      const body = { ...spec, abortSignal } as unknown as Dockerode.ServiceSpec;
      // createService(auth, spec) sends auth as X-Registry-Auth, so every node can pull.
      return options.auth
        ? docker.createService(toAuthConfig(options.auth) as Dockerode.AuthConfig, body)
        : docker.createService(body as Dockerode.CreateServiceOptions);
    });
    return (created as unknown as { id: string }).id;
  }

  async updateService(
    id: string,
    version: number,
    spec: SwarmServiceSpec,
    options: { auth?: RegistryAuth | undefined } = {},
  ): Promise<string[]> {
    const answer = await this.#calls.call(`update service ${id}`, (docker, abortSignal) => {
      const body = { ...spec, version, abortSignal };
      const service = docker.getService(id) as unknown as {
        update(auth: unknown, opts: unknown): Promise<unknown>;
        update(opts: unknown): Promise<unknown>;
      };
      return options.auth ? service.update(toAuthConfig(options.auth), body) : service.update(body);
    });
    return (answer as { Warnings?: string[] | null } | undefined)?.Warnings ?? [];
  }

  async removeService(id: string): Promise<void> {
    await this.#calls.call(
      `remove service ${id}`,
      (docker, abortSignal) => docker.getService(id).remove({ abortSignal } as object),
      { tolerate: { statuses: [404], fallback: undefined } },
    );
  }

  async tasks(serviceId: string): Promise<SwarmTask[]> {
    // A service that is gone has no tasks (the engine answers 404 to the filter).
    const tasks = await this.#calls.call(
      `list the tasks of service ${serviceId}`,
      (docker, abortSignal) => docker.listTasks({ filters: { service: [serviceId] }, abortSignal } as object),
      { tolerate: { statuses: [404], fallback: [] } },
    );
    return (tasks as RawTask[]).map(toTask);
  }

  async createSecret(name: string, value: string, labels: Record<string, string>): Promise<string> {
    const created = await this.#calls.call(`create secret ${name}`, (docker, abortSignal) =>
      docker.createSecret({
        Name: name,
        Labels: labels,
        Data: Buffer.from(value, 'utf8').toString('base64'),
        abortSignal,
      }),
    );
    return (created as { id?: string; ID?: string }).id ?? (created as { ID: string }).ID;
  }

  async secrets(labels: Record<string, string>): Promise<SwarmSecret[]> {
    const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    const secrets = await this.#calls.call('list secrets', (docker, abortSignal) =>
      docker.listSecrets({ filters: { label }, abortSignal } as object),
    );
    return (secrets as unknown as RawSecret[]).map((secret) => ({
      id: secret.ID,
      name: secret.Spec?.Name ?? '',
      labels: secret.Spec?.Labels ?? {},
      createdAt: secret.CreatedAt ?? '',
    }));
  }

  async removeSecret(id: string): Promise<void> {
    await this.#calls.call(
      `remove secret ${id}`,
      (docker, abortSignal) => docker.getSecret(id).remove({ abortSignal } as object),
      { tolerate: { statuses: [404], fallback: undefined } },
    );
  }

  async push(
    reference: string,
    options: { auth?: RegistryAuth | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<string> {
    if (options.signal?.aborted) throw interruption(options.signal);
    const operation = `push ${reference}`;
    return this.#calls.call(
      operation,
      async (docker, abortSignal) => {
        const signal = options.signal ? AbortSignal.any([abortSignal, options.signal]) : abortSignal;
        const stream = (await docker.getImage(reference).push({
          // The engine wants X-Registry-Auth on a push even when anonymous.
          authconfig: toAuthConfig(options.auth ?? {}),
          abortSignal: signal,
        } as object)) as NodeJS.ReadableStream;
        return pushedDigest(docker, stream, reference);
      },
      { timeoutMs: PUSH_TIMEOUT_MS },
    );
  }

  async logs(
    serviceId: string,
    options: { follow: boolean; tail?: number | undefined; signal?: AbortSignal | undefined },
  ): Promise<NodeJS.ReadableStream> {
    const { signal } = options;
    if (signal?.aborted) throw interruption(signal);
    const operation = `read the logs of service ${serviceId}`;
    const docker = await this.#calls.client();
    const deadline = this.#calls.deadline(signal);
    try {
      return await streamLogs(docker, serviceId, {
        follow: options.follow,
        tail: options.tail,
        tty: false,
        signal,
        answerSignal: deadline.signal,
        mapError: (error) => this.#calls.mapError(error, operation),
        resource: 'services',
      });
    } catch (error) {
      throw this.#calls.failure(error, operation, deadline);
    } finally {
      deadline.clear();
    }
  }
}

/** Follows a push's progress; an error event fails it; the digest comes from its `aux` (or its last status). */
function pushedDigest(docker: Dockerode, stream: NodeJS.ReadableStream, reference: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let digest: string | undefined;
    docker.modem.followProgress(
      stream,
      (error) => {
        if (error) reject(error);
        else if (digest) resolve(digest);
        else reject(new Error(`the engine pushed ${reference} but reported no digest`));
      },
      (event: { error?: string; aux?: { Digest?: string }; status?: string }) => {
        if (event.error) {
          reject(new Error(event.error));
          return;
        }
        digest = event.aux?.Digest ?? /digest: (sha256:[a-f0-9]{64})/.exec(event.status ?? '')?.[1] ?? digest;
      },
    );
  });
}

interface RawNode {
  ID: string;
  Description?: { Hostname?: string };
  Status?: { State?: string; Addr?: string };
  Spec?: { Availability?: string; Role?: string };
}
interface RawService {
  ID: string;
  Version?: { Index?: number };
  CreatedAt?: string;
  UpdatedAt?: string;
  Spec?: { Name?: string; Labels?: Record<string, string> } & Record<string, unknown>;
  PreviousSpec?: Record<string, unknown>;
  UpdateStatus?: { State?: string; Message?: string; StartedAt?: string; CompletedAt?: string };
}
interface RawTask {
  ID: string;
  ServiceID?: string;
  Slot?: number;
  NodeID?: string;
  CreatedAt?: string;
  UpdatedAt?: string;
  DesiredState?: string;
  Spec?: { ContainerSpec?: { Image?: string } };
  Status?: { State?: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
}
interface RawSecret {
  ID: string;
  CreatedAt?: string;
  Spec?: { Name?: string; Labels?: Record<string, string> };
}

function toService(raw: RawService): SwarmService {
  return {
    id: raw.ID,
    version: raw.Version?.Index ?? 0,
    name: raw.Spec?.Name ?? '',
    labels: raw.Spec?.Labels ?? {},
    spec: raw.Spec ?? {},
    previousSpec: raw.PreviousSpec,
    updateStatus: raw.UpdateStatus
      ? {
          state: raw.UpdateStatus.State ?? '',
          message: raw.UpdateStatus.Message ?? '',
          startedAt: raw.UpdateStatus.StartedAt ?? '',
          completedAt: raw.UpdateStatus.CompletedAt ?? '',
        }
      : undefined,
    createdAt: raw.CreatedAt ?? '',
    updatedAt: raw.UpdatedAt ?? '',
  };
}

function toTask(raw: RawTask): SwarmTask {
  return {
    id: raw.ID,
    serviceId: raw.ServiceID ?? '',
    slot: raw.Slot ?? 0,
    nodeId: raw.NodeID ?? '',
    state: raw.Status?.State ?? 'unknown',
    desiredState: raw.DesiredState ?? '',
    message: raw.Status?.Message ?? '',
    error: raw.Status?.Err ?? '',
    image: raw.Spec?.ContainerSpec?.Image ?? '',
    containerId: raw.Status?.ContainerStatus?.ContainerID,
    createdAt: raw.CreatedAt ?? '',
    updatedAt: raw.UpdatedAt ?? '',
  };
}
