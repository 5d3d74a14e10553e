import { type ChildProcess, spawn } from 'node:child_process';

/** How a child process ended and what it printed. */
export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawns `cmd args` without a shell, with exactly `env` (no inheritance: tests
 * decide the whole environment) and collects its output. The child is
 * returned too, so a test can signal it while `done` is pending, with what
 * it printed so far. `detached`: in a process group of its own, so that a
 * whole pipeline can be killed at once.
 */
export function spawnCollect(
  cmd: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; detached?: boolean },
): { child: ChildProcess; done: Promise<ProcessResult>; output: () => string } {
  const child = spawn(cmd, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d;
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d;
  });
  const done = new Promise<ProcessResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}
