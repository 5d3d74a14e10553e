import { z } from 'zod';
import { SETTINGS } from './declarations.js';
import type { ConfigFile } from './schema-types.js';

// Each schema parses once per run: compiling it to code first (zod's default) costs more than it saves.
z.config({ jitless: true });

const pluginEntry = z.union(
  [
    z.string().min(1, 'expected a plugin name'),
    z.tuple([z.string().min(1, 'expected a plugin name')]),
    z.tuple([z.string().min(1, 'expected a plugin name'), z.record(z.string(), z.unknown())]),
  ],
  { error: 'expected a plugin name, or [name, { options }]' },
);

/** A group of the settings tree as a strict object: every setting it may hold in a file, optional. */
function group(tree: object): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, node] of Object.entries(tree)) {
    if ('kind' in node && 'env' in node) {
      if (node.inFile) shape[name] = node.kind.schema(z).optional();
    } else {
      shape[name] = group(node).optional();
    }
  }
  return z.strictObject(shape);
}

/**
 * The config file schema, made from the settings' declarations
 * (`declarations.ts`), strict at every level so typos are errors, not silent no-ops.
 */
export const configFileSchema = z
  .strictObject({ $schema: z.string().optional(), plugins: z.array(pluginEntry).optional() })
  .extend((group(SETTINGS) as z.ZodObject).shape) as unknown as z.ZodType<ConfigFile>;
