import { PluginError } from '@stigmer/core';

/** The default build: the classic `docker build`, stamping the inputs label. */
export const DEFAULT_BUILD = ['docker', 'build', '-t', '{localTag}', '--label', '{label}={hash}', '{source}'];

/** The build command with its placeholders filled in. */
export function buildCommand(template: readonly string[], values: Record<string, string>): string[] {
  return template.map((arg) => arg.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole));
}

/**
 * Runs the build with execa (no shell), streaming its output to the user's
 * terminal as it comes (stderr, so `--json` on stdout stays clean) and keeping
 * the last lines for the error message.
 */
export async function runBuild(
  command: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string | undefined>>; signal: AbortSignal },
): Promise<void> {
  const { execa } = await import('execa');
  const [file, ...args] = command as [string, ...string[]];
  const tail: string[] = [];
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env as Record<string, string>,
    extendEnv: false,
    cancelSignal: options.signal,
    all: true,
    reject: false,
    stdin: 'ignore',
  });
  child.all?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail.push(
      ...chunk
        .toString()
        .split(/[\r\n]+/)
        .filter(Boolean),
    );
    tail.splice(0, Math.max(0, tail.length - 10));
  });
  const result = await child;
  if (result.isCanceled) throw options.signal.reason;
  if (result.exitCode !== 0 || result.failed) {
    const why =
      result.exitCode === undefined
        ? (result.shortMessage ?? 'it could not start')
        : `it exited with ${result.exitCode}`;
    throw new PluginError(
      'PLUGIN_FAILED',
      `The build command \`${command.join(' ')}\` failed: ${why}.${tail.length ? `\nIts last output:\n${tail.map((l) => `  ${l}`).join('\n')}` : ''}`,
      { details: { command: [...command], exitCode: result.exitCode } },
    );
  }
}
