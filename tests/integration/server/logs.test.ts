import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  cleanupFixtures,
  removeServerImage,
  runStigmer,
  serverFixture,
  spawnStigmer,
  until,
} from './helpers.js';

afterEach(cleanupFixtures);
afterAll(removeServerImage);

/**
 * `stigmer server logs` with the original CLI's flags: `-c/--component`,
 * `-f/--follow` on by default (`--no-follow` to print and exit), `-n/--tail`
 * 50 by default. The container prints a numbered line every 100 ms, so a
 * follow sees new lines arrive.
 */
const TICKER = [
  'sh',
  '-c',
  'echo "runner up key=$ANTHROPIC_API_KEY"; i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done',
];

async function started() {
  const f = await serverFixture({ agentRunner: { command: TICKER } });
  expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
  return f;
}

const ticks = (text: string) => [...text.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));

describe('stigmer server logs', () => {
  it('follows by default, printing new lines as they come, until Ctrl-C: exit 130, no error text', async () => {
    const f = await started();
    const { child, done } = spawnStigmer(f, ['server', 'logs', '-c', 'agent-runner']);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
    });
    await until(() => out.includes('runner up'), 10_000, 'the first line');
    const seen = Math.max(0, ...ticks(out));
    // Lines written after the command started keep arriving: it follows.
    await until(() => Math.max(0, ...ticks(out)) >= seen + 5, 10_000, 'five more ticks');
    child.kill('SIGINT');
    const r = await done;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('runner up key=***');
    expect(r.stdout).not.toContain(f.canary);
  });

  it('a follow whose reader goes away (`| head`) ends quietly: exit 0, nothing on stderr', async () => {
    const f = await started();
    const { child, done } = spawnStigmer(f, ['server', 'logs']);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
      // As `head -3` does: read three lines, then close the pipe.
      if (out.split('\n').length > 3) child.stdout?.destroy();
    });
    const r = await done;
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('--no-follow prints what is there and exits 0; -n limits it to the last lines (50 by default)', async () => {
    const f = await started();
    const all = () => runStigmer(f, ['server', 'logs', '--no-follow', '-n', 'all']);
    await until(async () => ticks((await all()).stdout).length > 60, 20_000, '60 ticks');
    const everything = await all();
    expect(everything.exitCode).toBe(0);
    expect(everything.stdout.startsWith('runner up key=***\n')).toBe(true);
    const byDefault = await runStigmer(f, ['server', 'logs', '--no-follow']);
    expect(byDefault.exitCode).toBe(0);
    expect(byDefault.stdout.trimEnd().split('\n')).toHaveLength(50);
    const args = ['server', 'logs', '--no-follow', '--tail', '3', '--component', 'agent-runner'];
    const numbers = ticks((await runStigmer(f, args)).stdout);
    expect(numbers).toHaveLength(3);
    expect(numbers[2] as number).toBe((numbers[0] as number) + 2);
  });

  it.each(['stigmer-server', 'workflow-runner'])(
    '-c %s: not managed by this CLI, one clear sentence, exit 2',
    async (component) => {
      const f = await serverFixture({ localImage: false });
      const r = await runStigmer(f, ['server', 'logs', '-c', component]);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `The ${component} component is not run by this CLI: it manages only the agent-runner container, so it has no ${component} logs to show. Use \`stigmer server logs\` (or -c agent-runner) for the agent-runner's output; see ${component}'s logs where it runs.\n`,
      );
      const json = await runStigmer(f, ['server', 'logs', '--component', component, '--json']);
      expect(json.exitCode).toBe(2);
      expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'COMPONENT_NOT_MANAGED', exitCode: 2 });
    },
  );

  it('an unknown component is a usage error listing the choices; --config keeps only its long form', async () => {
    const f = await serverFixture({ localImage: false });
    const unknown = await runStigmer(f, ['server', 'logs', '-c', 'nginx']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('agent-runner, stigmer-server, workflow-runner');
    const config = await runStigmer(f, ['config', 'print', '-c', '.stigmerrc']);
    expect(config.exitCode).toBe(2);
    expect(config.stderr).toContain("unknown option '-c'");
  });
});
