import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type HookContext, type ImageInfo } from '@stigmer/core';
import type { ImageChecksOptions } from './options.js';

const DEFAULT_LOCK_FILE = 'stigmer.lock.json';

/** The pinned digest and where it came from, or undefined when nothing pins one. */
export async function pinnedDigest(
  options: ImageChecksOptions,
  ctx: HookContext<ImageChecksOptions>,
): Promise<{ digest: string; source: string } | undefined> {
  if (options.digest) return { digest: options.digest, source: 'the digest option' };
  const base = ctx.run.configFile ? path.dirname(ctx.run.configFile) : ctx.run.cwd;
  const file = path.resolve(base, options.lockFile ?? DEFAULT_LOCK_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // The default lock file is optional; one named in config must exist.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && options.lockFile === undefined)
      return undefined;
    throw new ConfigError('CONFIG_INVALID', `Cannot read the lock file ${file}: ${(error as Error).message}`);
  }
  const { lockFileSchema } = await import('./options.js');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('CONFIG_INVALID', `The lock file ${file} is not JSON: ${(error as Error).message}`);
  }
  const result = lockFileSchema.safeParse(parsed);
  if (!result.success) {
    throw new ConfigError(
      'CONFIG_INVALID',
      `The lock file ${file} must hold { "digest": "sha256:<64 hex digits>" }: ${result.error.issues[0]?.message}`,
    );
  }
  return { digest: result.data.digest, source: file };
}

/**
 * Every digest the image is known by: its registry manifest digests (one per
 * repository it was pulled from) and its id.
 */
export function digestsOf(image: ImageInfo): string[] {
  return [...image.repoDigests.map((d) => d.slice(d.indexOf('@') + 1)), image.id];
}
