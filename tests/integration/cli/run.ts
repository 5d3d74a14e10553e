import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { harness } from '../harness/context.js';
import { type ProcessResult, spawnCollect } from '../harness/process.js';

/** The built CLI, exactly as users run it (`npm test` builds it first). */
export const STIGMER_BIN = fileURLToPath(new URL('../../../packages/cli/bin/stigmer.js', import.meta.url));

/** How a stigmer run ended and what it printed. */
export type CliResult = ProcessResult;

/**
 * Runs `stigmer ARGS` in `cwd` against the harness's engine. The environment
 * is minimal on purpose: nothing from the developer's shell changes the
 * result, except STIGMER_FAST_PATH (the fast path off, `0`, or required).
 */
export function stigmer(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: options.cwd,
    DOCKER_HOST: harness().dockerHost,
    // `STIGMER_FAST_PATH=0 npx vitest run tests/integration/cli` runs these tests against the full CLI alone.
    ...(process.env.STIGMER_FAST_PATH ? { STIGMER_FAST_PATH: process.env.STIGMER_FAST_PATH } : {}),
    ...options.env,
  };
  return spawnCollect(process.execPath, [STIGMER_BIN, ...args], { cwd: options.cwd, env }).done;
}

/** A fresh project folder (with a package.json, so the config search stops there) holding these files. */
export async function projectDir(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-it-'));
  await writeFile(path.join(dir, 'package.json'), '{"name":"it","private":true}');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}
