import { SETTINGS } from './declarations.js';
import type { ConfigFile, PluginEntry } from './schema-types.js';

/**
 * A config file checked without zod: the file's object as the schema
 * (`schema.ts`) would give it, or undefined when anything in it is not plainly
 * valid. Both are made from the same declarations (each setting's
 * `kind.accept` beside its `kind.schema`), and `accept.test.ts` holds them
 * equal; on undefined the caller runs the schema, whose words every error
 * message keeps. A valid config, the common case, so never loads zod.
 */
export function acceptConfig(raw: unknown): ConfigFile | undefined {
  const input = raw ?? {};
  if (!isPlainObject(input)) return undefined;
  const { $schema, plugins, ...settings } = input;
  const out: Record<string, unknown> = {};
  if (Object.hasOwn(input, '$schema')) {
    if ($schema !== undefined && typeof $schema !== 'string') return undefined;
    out.$schema = $schema;
  }
  if (Object.hasOwn(input, 'plugins')) {
    if (plugins !== undefined && !(Array.isArray(plugins) && plugins.every(isPluginEntry))) return undefined;
    out.plugins = plugins === undefined ? undefined : plugins.map((entry: PluginEntry) => copyEntry(entry));
  }
  const groups = acceptGroup(SETTINGS, settings);
  return groups && (Object.assign(out, groups) as ConfigFile);
}

/** A group's entries in the declarations' order (as the schema gives them), or undefined. */
function acceptGroup(tree: object, input: Record<string, unknown>): Record<string, unknown> | undefined {
  // A setting not for files (build) is an unknown key there, even when undefined.
  const known = new Set(
    Object.entries(tree)
      .filter(([, node]) => !('kind' in node && 'env' in node) || node.inFile)
      .map(([name]) => name),
  );
  if (Object.keys(input).some((key) => !known.has(key))) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, node] of Object.entries(tree)) {
    if (!Object.hasOwn(input, name)) continue;
    const value = input[name];
    if (value === undefined) {
      out[name] = undefined;
    } else if ('kind' in node && 'env' in node) {
      const accepted = node.kind.accept(value);
      if (!accepted) return undefined;
      out[name] = accepted.value;
    } else {
      const group = isPlainObject(value) ? acceptGroup(node, value) : undefined;
      if (!group) return undefined;
      out[name] = group;
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isPluginEntry(entry: unknown): entry is PluginEntry {
  if (isName(entry)) return true;
  if (!Array.isArray(entry)) return false;
  if (entry.length === 1) return isName(entry[0]);
  return entry.length === 2 && isName(entry[0]) && isPlainObject(entry[1]);
}

/** A copy, as the schema makes one (options are copied one level, keys in their order). */
function copyEntry(entry: PluginEntry): PluginEntry {
  if (typeof entry === 'string') return entry;
  return entry.length === 1 ? [entry[0]] : [entry[0], { ...entry[1] }];
}
