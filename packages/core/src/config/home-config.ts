import { existsSync, promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/**
 * What stigmer takes from the original CLI's own config file,
 * `~/.stigmer/config.yaml`: its LLM settings
 * (`backend.local.llm.provider|model|base_url`), nothing else.
 */
export interface HomeConfig {
  path: string;
  llm: { provider?: string; model?: string; baseUrl?: string };
  /** Why the file could not be used, when it could not (it is then ignored). */
  problem?: string;
}

/** `~/.stigmer/config.yaml`, with `HOME` from `env`. */
export function homeConfigPath(env: Readonly<Record<string, string | undefined>>): string {
  return path.join(env.HOME || homedir(), '.stigmer', 'config.yaml');
}

/**
 * Reads `~/.stigmer/config.yaml` if it exists. Never fails: the file
 * belongs to the original CLI and may hold anything, so other keys are
 * ignored, values that are not text are skipped, and a file that cannot be
 * read or parsed is reported in `problem` and otherwise ignored. The YAML
 * parser loads only when the file exists.
 */
export async function readHomeConfig(
  env: Readonly<Record<string, string | undefined>>,
): Promise<HomeConfig | undefined> {
  const file = homeConfigPath(env);
  if (!existsSync(file)) return undefined;
  let document: unknown;
  try {
    const [text, yaml] = await Promise.all([fs.readFile(file, 'utf8'), import('js-yaml')]);
    // The original file is plain YAML: no custom tags, nothing to execute.
    document = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    return { path: file, llm: {}, problem: `${file} could not be read (${reason}); ignored` };
  }
  const llm = at(document, ['backend', 'local', 'llm']);
  return {
    path: file,
    llm: {
      ...text('provider', llm?.provider),
      ...text('model', llm?.model),
      ...text('baseUrl', llm?.base_url),
    },
  };
}

function at(value: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  let current = value;
  for (const key of keys) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current && typeof current === 'object' && !Array.isArray(current)
    ? (current as Record<string, unknown>)
    : undefined;
}

function text<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' && value.trim() !== ''
    ? ({ [key]: value.trim() } as Record<K, string>)
    : {};
}
