import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnCollect } from '../harness/process.js';

/** The repository root: where the Makefile is. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** The agent-runner stand-in, in the original layout (context ../../.. = tests/fixtures/agent-runner). */
export const FIXTURE_AGENT_RUNNER = 'tests/fixtures/agent-runner/backend/services/agent-runner';

export interface RunResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command without a shell. The environment is minimal on purpose
 * (PATH with this test's node first, HOME, then `env`), so nothing from the
 * developer's shell, such as STIGMER_VERSION or a ghcr token, changes the result.
 */
export function run(
  cmd: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<RunResult> {
  const env = {
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: options.cwd,
    ...options.env,
  };
  // Tests compare whole results: how the process ended matters, not which signal was not sent.
  return spawnCollect(cmd, args, { cwd: options.cwd, env }).done.then(({ exitCode, stdout, stderr }) => ({
    exitCode,
    stdout,
    stderr,
  }));
}

/** `make TARGET VAR=value...` in the repository, against the given engine. */
export function make(args: readonly string[], dockerHost: string): Promise<RunResult> {
  return run('make', ['--no-print-directory', ...args], {
    cwd: REPO,
    env: { DOCKER_HOST: dockerHost, HOME: tmpdir() },
  });
}

/** A fresh folder with a package.json (the config search stops there) and these files. */
export async function tempProject(prefix: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await writeFile(path.join(dir, 'package.json'), '{"name":"release-it","private":true}');
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}
