import { z } from '@stigmer/core/options';

/** A DNS-1123 label: what Kubernetes accepts as a namespace name. */
const namespace = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected a namespace name (lower-case letters, digits, -)');
/** A DNS-1123 subdomain: what Kubernetes accepts as a Secret's name. */
const objectName = z
  .string()
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'expected an object name (lower-case letters, digits, - and .)',
  );
/** `cpu` and `memory` as Kubernetes quantities (`500m`, `1`, `512Mi`). */
const quantities = z.strictObject({
  cpu: z
    .string()
    .regex(/^\d+(\.\d+)?m?$/, 'expected a CPU quantity such as 500m or 2')
    .optional(),
  memory: z
    .string()
    .regex(/^\d+(\.\d+)?([EPTGMK]i?|[eE]\d+|k)?$/, 'expected a memory quantity such as 512Mi or 2Gi')
    .optional(),
});

/** The options of `@stigmer/plugin-kubernetes`, strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  /** The namespace of every object. Default: none (kubectl's current namespace). */
  namespace: namespace.optional(),
  /**
   * The Secret holding the API keys, referenced by the Deployment (and
   * rendered with `--include-secrets`). Default `<container name>-api-keys`.
   */
  secretName: objectName.optional(),
  /** The container's `resources` (`requests`, `limits`: `cpu`, `memory`). Default: none. */
  resources: z.strictObject({ requests: quantities.optional(), limits: quantities.optional() }).optional(),
});

/** Options of `@stigmer/plugin-kubernetes`, as the plugin gets them. */
export type KubernetesOptions = z.output<typeof optionsSchema>;
/** The options as written in config. */
export type KubernetesOptionsInput = z.input<typeof optionsSchema>;
