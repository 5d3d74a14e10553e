import { z } from 'zod';

/**
 * The `--json` documents the README promises, one schema per command. Every
 * document has `ok` and `warnings`; a failure has `error` with `code`,
 * `message` and `exitCode`. Objects are loose where a command passes through
 * a core type (the image, the manifest), strict at the top so a renamed or
 * dropped field fails the test.
 */

const warnings = z.array(z.strictObject({ message: z.string(), plugin: z.string().optional() }));
const engine = z.strictObject({ host: z.string().min(1), source: z.string().min(1) });
const configFile = z.string().nullable();
const trace = z.array(
  z.object({
    seq: z.number().int(),
    hook: z.string(),
    plugin: z.string(),
    outcome: z.string(),
    durationMs: z.number(),
    messages: z.array(z.object({ level: z.string(), message: z.string() })),
  }),
);

/** Any failure, usage errors included. */
export const failure = z.strictObject({
  ok: z.literal(false),
  error: z.strictObject({
    code: z.string().regex(/^[A-Z_]+$/),
    message: z.string().min(1),
    exitCode: z.number().int().min(1),
    plugin: z.string().optional(),
    hook: z.string().optional(),
    details: z.record(z.string(), z.unknown()),
  }),
  engine: engine.nullable().optional(),
  configFile: configFile.optional(),
  trace: trace.optional(),
  warnings,
});

const success = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ ok: z.literal(true), ...shape, warnings });

const image = z.object({ reference: z.string(), id: z.string().startsWith('sha256:'), source: z.string() });

export const schemas = {
  'image resolve': success({ image, engine, configFile, trace }),
  'image pull': success({ image, engine, configFile, trace }),
  'image export': success({
    dir: z.string(),
    manifest: z.object({
      images: z.array(z.object({ name: z.string(), size: z.number(), sha256: z.string() })),
    }),
    engine,
    configFile,
    trace,
  }),
  'image import': success({
    dir: z.string(),
    images: z.array(
      z.strictObject({ name: z.string(), id: z.string(), platform: z.string(), file: z.string() }),
    ),
    engine,
  }),
  'config print': success({
    configFile,
    configScope: z.enum(['project', 'user', 'flag']).nullable(),
    configSearch: z
      .strictObject({
        order: z.array(z.strictObject({ folder: z.string(), scope: z.enum(['project', 'user']) })),
        unused: z.array(z.string()),
      })
      .nullable(),
    settings: z.array(
      z.strictObject({
        key: z.string(),
        value: z.unknown(),
        source: z.strictObject({
          kind: z.enum(['flag', 'env', 'file', 'default', 'discovery', 'engine']),
          name: z.string(),
        }),
        unit: z.literal('ms').optional(),
      }),
    ),
  }),
  'config validate': success({ configFile, plugins: z.array(z.string()) }),
  'plugins list': success({
    configFile,
    plugins: z.array(
      z.strictObject({
        name: z.string(),
        version: z.string(),
        specifier: z.string(),
        index: z.number().int(),
        loadedFrom: z.string(),
        installed: z.strictObject({ version: z.string(), path: z.string() }).optional(),
        hooks: z.array(z.string()),
      }),
    ),
  }),
  'server start': success({
    action: z.enum(['started', 'restarted', 'already-running']),
    container: z.object({ id: z.string(), name: z.string() }),
    image,
    dataDir: z.string(),
    spec: z.object({ name: z.string(), image: z.string(), env: z.record(z.string(), z.string()) }),
    specHash: z.string(),
    differences: z.array(z.string()),
    removed: z.array(z.object({ id: z.string(), name: z.string() })),
    waitedForHealth: z.boolean(),
    engine,
    configFile,
    trace,
  }),
  'server status': success({
    state: z.string(),
    running: z.boolean(),
    health: z.string(),
    container: z.object({ id: z.string(), name: z.string() }).nullable(),
    uptimeMs: z.number().nullable(),
    managed: z.boolean(),
    foundBy: z.string().nullable(),
    stateFile: z.enum(['ok', 'missing', 'stale']),
    dataDir: z.string(),
    otherDataDir: z.string().nullable(),
    lock: z.object({}).loose().nullable(),
    image: z.string().nullable(),
    digest: z.string().nullable(),
    restartCount: z.number().nullable(),
    imageSizeBytes: z.number().nullable(),
  }),
  'server stop': success({
    dataDir: z.string(),
    containers: z.array(
      z.strictObject({ id: z.string(), name: z.string(), wasRunning: z.boolean(), killed: z.boolean() }),
    ),
    interruptedAfterStop: z.string().optional(),
    engine,
    configFile,
    trace,
  }),
  'server manifest': success({
    format: z.string(),
    renderer: z.string(),
    image: z.strictObject({
      reference: z.string(),
      id: z.string(),
      pullable: z.string().optional(),
      pullableSource: z.string().optional(),
      source: z.string(),
      platform: z.string().optional(),
      healthcheck: z
        .object({ test: z.array(z.string()) })
        .loose()
        .optional(),
    }),
    replicas: z.number().int(),
    specHash: z.string(),
    documents: z.array(z.object({ apiVersion: z.string(), kind: z.string() }).loose()),
    notes: z.array(z.string()),
    engine,
    configFile,
    trace,
  }),
  /** One document per line of output. */
  'server logs': z.strictObject({ ok: z.literal(true), line: z.string() }),
  version: success({
    version: z.string(),
    image: z.strictObject({ reference: z.string(), plugin: z.string() }).nullable(),
    node: z.strictObject({ version: z.string(), platform: z.string() }),
    engine: engine.extend({ version: z.string(), apiVersion: z.string(), platform: z.string() }).nullable(),
    engineError: z.string().optional(),
  }),
  completion: success({ shell: z.enum(['bash', 'zsh', 'fish']), script: z.string().min(100) }),
} as const;

/** Parses stdout as one document and checks it against the schema; returns it. */
export function documentOf<S extends z.ZodType>(schema: S, stdout: string): z.infer<S> {
  const parsed = schema.safeParse(JSON.parse(stdout));
  if (!parsed.success)
    throw new Error(`JSON document does not match its schema:\n${z.prettifyError(parsed.error)}\n${stdout}`);
  return parsed.data;
}
