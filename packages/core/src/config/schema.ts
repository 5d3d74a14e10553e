import { z } from 'zod';
import { durationIn } from '../duration.js';
import { HOOK_NAMES } from '../hooks.js';
import { durationRange } from './durations.js';
import type { ConfigFile } from './schema-types.js';
import { isPullPolicy } from './settings.js';

// Each schema parses once per run: compiling it to code first (zod's default) costs more than it saves.
z.config({ jitless: true });

/** A duration setting: `30s`, `10m` or ms, within the key's range (`config/durations.ts`). */
const durationValue = (key: string) =>
  z.union([z.string(), z.number()]).superRefine((value, ctx) => {
    const checked = durationIn(value, durationRange(key));
    if ('error' in checked) ctx.addIssue({ code: 'custom', message: checked.error });
  });

const pluginEntry = z.union(
  [
    z.string().min(1, 'expected a plugin name'),
    z.tuple([z.string().min(1, 'expected a plugin name')]),
    z.tuple([z.string().min(1, 'expected a plugin name'), z.record(z.string(), z.unknown())]),
  ],
  { error: 'expected a plugin name, or [name, { options }]' },
);

/** The config file schema, strict at every level so typos are errors, not silent no-ops. */
export const configFileSchema: z.ZodType<ConfigFile> = z.strictObject({
  $schema: z.string().optional(),
  plugins: z.array(pluginEntry).optional(),
  image: z
    .strictObject({
      localTag: z
        .string()
        .regex(/^\S+$/, 'expected an image name such as stigmer-agent-runner:local')
        .optional(),
      platform: z
        .string()
        .regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, 'expected os/arch[/variant] such as linux/arm64')
        .optional(),
      pullPolicy: z
        .string()
        .refine(isPullPolicy, 'expected missing, always, never, newer or an interval such as 24h')
        .optional(),
    })
    .optional(),
  offline: z.boolean().optional(),
  pull: z
    .strictObject({
      retries: z.int('expected a whole number of retries such as 3').min(0).max(20).optional(),
      retryDelay: durationValue('pull.retryDelay').optional(),
      stallTimeout: durationValue('pull.stallTimeout').optional(),
    })
    .optional(),
  engine: z
    .strictObject({
      host: z
        .string()
        .regex(/^[a-z]+:\/\//, 'expected an engine address such as unix:///var/run/docker.sock')
        .optional(),
      timeout: durationValue('engine.timeout').optional(),
    })
    .optional(),
  server: z
    .strictObject({
      containerName: z
        .string()
        .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, 'expected a container name such as stigmer-agent-runner')
        .optional(),
      dataDir: z.string().min(1, 'expected a folder path').optional(),
      readyTimeout: durationValue('server.readyTimeout').optional(),
      stopTimeout: durationValue('server.stopTimeout').optional(),
      settleTime: durationValue('server.settleTime').optional(),
    })
    .optional(),
  llm: z
    .strictObject({
      provider: z.string().trim().min(1, 'expected an LLM provider such as ollama').optional(),
      model: z.string().trim().min(1, 'expected a model name such as qwen2.5-coder:7b').optional(),
      baseUrl: z.string().trim().min(1, 'expected a URL such as http://localhost:11434').optional(),
    })
    .optional(),
  timeouts: z
    .strictObject(Object.fromEntries(HOOK_NAMES.map((h) => [h, durationValue(`timeouts.${h}`).optional()])))
    .optional(),
}) as unknown as z.ZodType<ConfigFile>;
