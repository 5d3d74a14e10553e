import type { ManifestRequest, MountSpec } from '@stigmer/core';
import { dnsLabel, splitLabels } from './names.js';
import type { KubernetesOptions } from './options.js';
import { probesFrom } from './probes.js';

/** A Kubernetes object as plain data, ready to check and print. */
export type KubernetesObject = Record<string, unknown> & { apiVersion: string; kind: string };

/** The objects and what the user must know about them. */
export interface RenderedObjects {
  /** In the order to apply them: the Secret (when rendered) before the Deployment that reads it. */
  objects: KubernetesObject[];
  notes: string[];
}

/** Labels every object carries; the first two select the Deployment's pods. */
function appLabels(name: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'agent-runner',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/managed-by': 'stigmer',
  };
}

/**
 * The Deployment (and, with `includeSecrets`, the Secret) for the spec
 * `server start` would run. `image` is the pullable reference (checked by
 * the caller). What has no meaning on a cluster is left out, and each such
 * omission is a note: host networking, extra hosts, the init flag, a user
 * given by name (log options are the cluster's business); the data folder's bind mounts become
 * `emptyDir` volumes (a node does not have this machine's folders).
 */
export function renderObjects(
  request: ManifestRequest,
  options: KubernetesOptions,
  image: string,
): RenderedObjects {
  const { spec } = request;
  const name = dnsLabel(spec.name, 'agent-runner');
  const secretName = options.secretName ?? `${name}-api-keys`;
  const namespace = options.namespace ? { namespace: options.namespace } : {};
  const notes: string[] = [];
  const secretKeys = [...new Set(spec.secretEnv ?? [])].filter((key) => spec.env[key] !== undefined).sort();
  const secret = new Set(secretKeys);
  const env = Object.keys(spec.env)
    .sort()
    .map((key) =>
      secret.has(key)
        ? { name: key, valueFrom: { secretKeyRef: { name: secretName, key } } }
        : { name: key, value: spec.env[key] },
    );
  const { labels: specLabels, annotations } = splitLabels(spec.labels);
  const selector = { 'app.kubernetes.io/name': 'agent-runner', 'app.kubernetes.io/instance': name };
  const labels = { ...specLabels, ...appLabels(name) };
  const { volumes, volumeMounts } = volumesFor(spec.mounts);
  if (volumes.length > 0) {
    notes.push(
      `The bind mounts of this machine's data folder (${spec.mounts.map((m) => m.target).join(', ')}) become emptyDir volumes: a node does not have this machine's folders, and what the runner writes there lasts as long as its pod. Replace them with a PersistentVolumeClaim to keep it.`,
    );
  }
  const container: Record<string, unknown> = {
    name,
    image,
    env,
    ...(spec.command ? { args: [...spec.command] } : {}),
    ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
    ...(options.resources ? { resources: options.resources } : {}),
    ...probeFields(request, notes),
    ...securityContext(spec.user, notes),
  };
  notes.push(...leftOut(request));
  if (!image.includes('@')) {
    notes.push(
      `The image ${image} is not pinned by digest: nodes pull whatever the tag names when they pull, so replicas can run different images. Pass --image NAME@sha256:... to pin it.`,
    );
  }
  const deployment: KubernetesObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...namespace, labels, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      replicas: request.replicas,
      selector: { matchLabels: selector },
      template: {
        // Only the app's labels: a label that changes with every CLI release
        // (cli-version) would roll the pods with nothing else changed.
        metadata: { labels: appLabels(name) },
        spec: { containers: [container], ...(volumes.length > 0 ? { volumes } : {}) },
      },
    },
  };
  if (secretKeys.length === 0) {
    notes.push(
      "No API key (ANTHROPIC_API_KEY, OPENAI_API_KEY or an agent-runner secretEnv) is set in stigmer's environment, so the Deployment passes none to the runner.",
    );
    return { objects: [deployment], notes };
  }
  if (!request.includeSecrets) {
    notes.push(secretNote(secretName, secretKeys, options.namespace));
    return { objects: [deployment], notes };
  }
  const secretObject: KubernetesObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName, ...namespace, labels: appLabels(name) },
    type: 'Opaque',
    stringData: Object.fromEntries(secretKeys.map((key) => [key, spec.env[key] as string])),
  };
  notes.push(
    `The Secret ${secretName} holds the values of ${secretKeys.join(', ')} (--include-secrets): keep this output out of version control and logs.`,
  );
  return { objects: [secretObject, deployment], notes };
}

/** How to create the Secret the Deployment reads, naming the keys, never their values. */
function secretNote(secretName: string, keys: readonly string[], namespace: string | undefined): string {
  const literal = keys.map((key) => `--from-literal=${key}="$${key}"`).join(' ');
  const ns = namespace ? ` -n ${namespace}` : '';
  return [
    `The API keys are not in this output: the Deployment reads ${keys.join(', ')} from the Secret ${secretName}, which must exist before its pods can start. Create it with`,
    `  kubectl create secret generic ${secretName}${ns} ${literal}`,
    'or render it too with --include-secrets.',
  ].join('\n');
}

/** The mounts as volumes: one `emptyDir` each, named after its target. */
function volumesFor(mounts: readonly MountSpec[]) {
  const used = new Set<string>();
  const volumes: Record<string, unknown>[] = [];
  const volumeMounts: Record<string, unknown>[] = [];
  for (const mount of mounts) {
    let volume = dnsLabel(mount.target, 'data');
    for (let n = 2; used.has(volume); n++) volume = `${dnsLabel(mount.target, 'data')}-${n}`;
    used.add(volume);
    volumes.push({ name: volume, emptyDir: {} });
    volumeMounts.push({
      name: volume,
      mountPath: mount.target,
      ...(mount.readOnly ? { readOnly: true } : {}),
    });
  }
  return { volumes, volumeMounts };
}

/** Liveness, readiness and startup probes from the image's HEALTHCHECK, and a note when there is none. */
function probeFields(request: ManifestRequest, notes: string[]): Record<string, unknown> {
  const check = request.image.healthcheck;
  const probes = check ? probesFrom(check) : undefined;
  if (!probes) {
    notes.push(
      'The image has no HEALTHCHECK, so the Deployment has no probes: Kubernetes takes a running process for a ready one.',
    );
    return {};
  }
  return {
    livenessProbe: probes.liveness,
    readinessProbe: probes.readiness,
    ...(probes.startup ? { startupProbe: probes.startup } : {}),
  };
}

/** `uid[:gid]` as a securityContext; a user name has no equivalent (Kubernetes takes numbers). */
function securityContext(user: string | undefined, notes: string[]): Record<string, unknown> {
  if (!user) return {};
  const match = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!match) {
    notes.push(
      `The container runs as user "${user}" under Docker; Kubernetes takes a numeric uid (runAsUser), so the pod runs as the image's user. Give the agent-runner option user as uid[:gid] to carry it over.`,
    );
    return {};
  }
  const [, uid, gid] = match;
  return {
    securityContext: { runAsUser: Number(uid), ...(gid ? { runAsGroup: Number(gid) } : {}) },
  };
}

/** What the Docker spec has that a Deployment cannot carry, one note each. */
function leftOut(request: ManifestRequest): string[] {
  const { spec } = request;
  const notes: string[] = [];
  if (spec.networkMode === 'host') {
    notes.push(
      "The container uses the host's network under Docker; the pods get the cluster's network, so addresses such as localhost in STIGMER_BACKEND_ENDPOINT and TEMPORAL_SERVICE_ADDRESS must be changed to the services' cluster addresses (agent-runner options backendEndpoint, temporalAddress).",
    );
  } else if (
    Object.values(spec.env).some((v) =>
      /(^|\/\/)(localhost|127\.\d+\.\d+\.\d+|host\.docker\.internal)(:|\/|$)/.test(v),
    )
  ) {
    notes.push(
      'Some addresses in the environment name this machine (localhost, 127.x, host.docker.internal), which a pod cannot reach: set the agent-runner options backendEndpoint, temporalAddress and llm.baseUrl to addresses the cluster can reach.',
    );
  }
  if (spec.extraHosts?.length)
    notes.push(`Extra hosts (${spec.extraHosts.join(', ')}) are left out: they name this machine.`);
  if (spec.init)
    notes.push(
      'The init flag (docker run --init) is left out: Kubernetes has none; use an image with its own init.',
    );
  return notes;
}
