/**
 * The labels stigmer puts on the container it starts. They make the
 * container findable without any state file and record what started it.
 */
export const LABELS = Object.freeze({
  /** Always `stigmer`: the container is ours. */
  managedBy: 'org.stigmer.managed-by',
  /** `agent-runner`. */
  component: 'org.stigmer.component',
  /** The data folder of the stigmer that started it: two data folders, two containers. */
  dataDir: 'org.stigmer.data-dir',
  cliVersion: 'org.stigmer.cli-version',
  imageReference: 'org.stigmer.image-reference',
  imageId: 'org.stigmer.image-id',
  /** The registry digest (`repo@sha256:...`), empty for a locally built image. */
  imageDigest: 'org.stigmer.image-digest',
  /** Hash of the effective spec without secret values. */
  specHash: 'org.stigmer.spec-hash',
  /** The effective spec without secret values, as JSON, to say what differs. */
  spec: 'org.stigmer.spec',
});

/** The component this lifecycle manages. */
export const COMPONENT = 'agent-runner';

/** The labels that find stigmer's agent-runner container of one data folder. */
export function ownerLabels(dataDir: string): Record<string, string> {
  return { [LABELS.managedBy]: 'stigmer', [LABELS.component]: COMPONENT, [LABELS.dataDir]: dataDir };
}

/** True when `labels` mark a container stigmer started. */
export function isOurs(labels: Readonly<Record<string, string>>): boolean {
  return labels[LABELS.managedBy] === 'stigmer' && labels[LABELS.component] === COMPONENT;
}

/** True for the labels core itself writes (they are not part of the spec's fingerprint). */
export function isCoreLabel(key: string): boolean {
  return Object.values(LABELS).includes(key as (typeof LABELS)[keyof typeof LABELS]);
}
