import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { harness } from '../harness/context.js';

/** The built CLI, exactly as users run it (`npm test` builds it first). */
export const STIGMER_BIN = fileURLToPath(new URL('../../../packages/cli/bin/stigmer.js', import.meta.url));

export interface CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `stigmer ARGS` in `cwd` against the harness's engine. The environment
 * is minimal on purpose: nothing from the developer's shell changes the result.
 */
export function stigmer(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: options.cwd,
    DOCKER_HOST: harness().dockerHost,
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STIGMER_BIN, ...args], { cwd: options.cwd, env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal, stdout, stderr }));
  });
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
