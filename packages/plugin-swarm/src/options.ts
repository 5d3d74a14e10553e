import { z } from '@stigmer/core/options';

const updateSchema = z.strictObject({
  /** Tasks updated at once. Default 1; 0 updates all at once. */
  parallelism: z.number().int().min(0).default(1),
  /**
   * `start-first` (default): a task's replacement starts before it stops, so
   * a replica always runs; `stop-first`: it stops first (needs room for one
   * task less).
   */
  order: z.enum(['start-first', 'stop-first']).default('start-first'),
  /** Milliseconds between two batches. Default 0. */
  delayMs: z.number().int().min(0).default(0),
  /** Milliseconds a task is watched after it was updated; one that fails meanwhile fails the update. Default 5000. */
  monitorMs: z.number().int().min(0).default(5000),
});

/** The options of `@stigmer/plugin-swarm`, strict: a misspelt option is an error, not a silent no-op. */
export const optionsSchema = z.strictObject({
  /** Tasks (agent-runners) the service runs, spread over the nodes. Default 1. */
  replicas: z.number().int().min(0).default(1),
  /** Placement constraints, as `docker service create --constraint` takes them (`node.role==worker`). */
  constraints: z.array(z.string().min(1)).default([]),
  /** How a changed image or spec rolls out; a failed update rolls back. */
  update: updateSchema.default({ parallelism: 1, order: 'start-first', delayMs: 0, monitorMs: 5000 }),
  /**
   * A registry every node can pull from (`registry.example.com` or
   * `127.0.0.1:5000`): an image that exists only on this machine (built or
   * imported) is pushed there first, with credentials from the credentials
   * chain, and the service runs it by the pushed digest.
   */
  registry: z
    .string()
    .regex(/^[a-z0-9.-]+(:[0-9]+)?$/, 'a registry host such as registry.example.com or 127.0.0.1:5000')
    .optional(),
  /** The repository the image is pushed to in `registry`. Default `stigmer/agent-runner`. */
  repository: z
    .string()
    .regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, 'a repository path such as stigmer/agent-runner')
    .default('stigmer/agent-runner'),
});

/** Options of `@stigmer/plugin-swarm`, as the plugin gets them. */
export type SwarmOptions = z.output<typeof optionsSchema>;
/** The options as written in config. */
export type SwarmOptionsInput = z.input<typeof optionsSchema>;
