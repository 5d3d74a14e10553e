import type { ContainerSpec, ImageHealthcheck } from '../engine/types.js';

/** The image a manifest runs, as the chain resolved it and the engine describes it. */
export interface ManifestImage {
  /** The reference `server start` would run (usually the local tag). */
  readonly reference: string;
  /** The engine's image id (`sha256:...`). */
  readonly id: string;
  /**
   * A reference a cluster can pull, pinned by digest (`registry/repo@sha256:...`):
   * `--image` when given, else the registry digest of the resolved image (the
   * chain's, else one of the engine's `RepoDigests`). Undefined when the image
   * exists only in this engine (built or imported, never pushed).
   */
  readonly pullable: string | undefined;
  /** Where `pullable` came from: `--image`, `the resolved image's registry digest`... */
  readonly pullableSource: string | undefined;
  /** Where the chain found the image (`local engine`, `registry ...`). */
  readonly source: string;
  /** `os/arch[/variant]`. */
  readonly platform: string | undefined;
  /** The image's HEALTHCHECK, when it has one in force. */
  readonly healthcheck: ImageHealthcheck | undefined;
}

/** Given to `renderManifest`: what to render and in which format. */
export interface ManifestRequest {
  /** The format asked for (`--format`), such as `kubernetes`. A tap renders only its own. */
  readonly format: string;
  /**
   * The effective container spec, exactly as `server start` would create it,
   * with core's owner labels, CLI version and spec hash; without the labels
   * that describe a container on this engine (data folder, the engine's image
   * reference, id and digest, the recorded spec). Values of `secretEnv` keys
   * are included: put them in the output only when `includeSecrets` is true.
   */
  readonly spec: ContainerSpec;
  readonly image: ManifestImage;
  /** How many copies to run: `--replicas`, else the swarm plugin's `replicas`, else 1. */
  readonly replicas: number;
  /** Where `replicas` came from, for notes: `--replicas`, `the swarm plugin's options`, `default`. */
  readonly replicasSource: string;
  /** `--include-secrets`: the output may hold secret values. Otherwise it must not. */
  readonly includeSecrets: boolean;
}

/** What a renderer returns: the objects, in the order they should be applied, and what the user should know. */
export interface RenderedManifest {
  /** One object per document (a Kubernetes object, a compose file...), already checked by the renderer. */
  readonly documents: readonly Record<string, unknown>[];
  /**
   * What the user must know or do (create the Secret, what was left out);
   * printed on stderr, in `--json` as `notes`. Never a secret value.
   */
  readonly notes: readonly string[];
  /**
   * The documents as one object for JSON output (`--output json`), when the
   * format has such a shape (Kubernetes: a `v1` `List`). Default: one
   * document as itself, several as an array.
   */
  readonly combined?: Record<string, unknown> | undefined;
}

/** `--output`: how the host prints the documents. */
export type ManifestOutput = 'yaml' | 'json';
