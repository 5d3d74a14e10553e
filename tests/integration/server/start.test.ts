import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { harnessDocker } from '../harness/context.js';
import {
  cleanupFixtures,
  inspect,
  LOOP_COMMAND,
  removeServerImage,
  runStigmer,
  serverFixture,
  serverImage,
} from './helpers.js';

afterEach(cleanupFixtures);
afterAll(removeServerImage);

/** Every file stigmer left in the data folder, with its content. */
async function dataFiles(dataDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await readdir(dataDir)) {
    const file = path.join(dataDir, name);
    if ((await stat(file)).isFile()) out[name] = await readFile(file, 'utf8');
  }
  return out;
}

describe('stigmer server start against a real engine', () => {
  it('runs the container with exactly the original environment, mounts, user, restart policy, network and logging', async () => {
    const f = await serverFixture();
    const result = await runStigmer(f, ['server', 'start']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Started ${f.name} \\([0-9a-f]{12}\\) from ${f.localTag} `));

    const info = await inspect(f.name);
    expect(info?.State.Running).toBe(true);
    expect(info?.Image).toBe(await serverImage());
    // The image's environment (PATH) comes first; everything else is the original CLI's, exactly.
    const env = (info?.Config.Env ?? []).filter((e) => !e.startsWith('PATH='));
    expect(env.sort()).toEqual(
      [
        'MODE=local',
        'STIGMER_BACKEND_ENDPOINT=localhost:7234',
        'TEMPORAL_SERVICE_ADDRESS=localhost:7233',
        'TEMPORAL_NAMESPACE=default',
        'TASK_QUEUE=agent_execution_runner',
        'SANDBOX_TYPE=filesystem',
        'WORKSPACE_ROOT=/workspace',
        'LOG_LEVEL=DEBUG',
        'STIGMER_LLM_PROVIDER=ollama',
        'STIGMER_LLM_MODEL=qwen2.5-coder:7b',
        'STIGMER_LLM_BASE_URL=http://localhost:11434',
        'OLLAMA_BASE_URL=http://localhost:11434',
        `ANTHROPIC_API_KEY=${f.canary}`,
      ].sort(),
    );
    expect(info?.HostConfig.Binds).toEqual([
      `${f.dataDir}/workspace:/workspace`,
      `${f.dataDir}/artifacts:/artifacts`,
    ]);
    expect(info?.Config.User).toBe(''); // the image's own user, as the original passed none
    expect(info?.HostConfig.RestartPolicy).toEqual({ Name: 'unless-stopped', MaximumRetryCount: 0 });
    expect(info?.HostConfig.NetworkMode).toBe('host');
    expect(info?.HostConfig.LogConfig).toEqual({
      Type: 'json-file',
      Config: { 'max-size': '10m', 'max-file': '3' },
    });
    expect(info?.Config.Cmd).toEqual(LOOP_COMMAND);
    expect(info?.Config.Labels).toMatchObject({
      'org.stigmer.managed-by': 'stigmer',
      'org.stigmer.component': 'agent-runner',
      'org.stigmer.data-dir': f.dataDir,
      'org.stigmer.image-id': await serverImage(),
      'org.stigmer.cli-version': expect.stringMatching(/^\d+\.\d+\.\d+/),
      'org.stigmer.spec-hash': expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });

    // The data folder is private and holds the state, never the key.
    expect((await stat(f.dataDir)).mode & 0o777).toBe(0o700);
    const files = await dataFiles(f.dataDir);
    expect(Object.keys(files)).toEqual(['agent-runner.json']);
    expect(JSON.parse(files['agent-runner.json'] as string)).toMatchObject({
      containerId: info?.Id,
      containerName: f.name,
    });
    expect(JSON.stringify(files)).not.toContain(f.canary);
    expect(JSON.stringify(info?.Config.Labels)).not.toContain(f.canary);
  });

  it('says "already running" on a second start with the same image and config, and leaves the container alone', async () => {
    const f = await serverFixture();
    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    const first = await inspect(f.name);
    const again = await runStigmer(f, ['server', 'start', '--json']);
    expect(again.exitCode).toBe(0);
    const doc = JSON.parse(again.stdout);
    expect(doc).toMatchObject({
      ok: true,
      action: 'already-running',
      container: { id: first?.Id, state: 'running' },
    });
    expect((await inspect(f.name))?.State.StartedAt).toBe(first?.State.StartedAt);
  });

  it('refuses a changed config with what differs (exit 13), then replaces the container with --restart', async () => {
    const f = await serverFixture();
    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    const first = await inspect(f.name);
    const changed = await runStigmer(f, ['server', 'start'], {
      ANTHROPIC_API_KEY: `${f.canary}-new`,
      STIGMER_LLM_MODEL: 'qwen',
    });
    expect(changed.exitCode).toBe(13);
    expect(changed.stderr).toContain('env ANTHROPIC_API_KEY changed (secret)');
    expect(changed.stderr).toContain('env STIGMER_LLM_MODEL: qwen2.5-coder:7b → qwen');
    expect(changed.stderr).toContain('stigmer server start --restart');
    expect(changed.stderr).not.toContain(f.canary);
    expect((await inspect(f.name))?.Id).toBe(first?.Id);

    const restarted = await runStigmer(f, ['server', 'start', '--restart'], {
      ANTHROPIC_API_KEY: `${f.canary}-new`,
      STIGMER_LLM_MODEL: 'qwen',
    });
    expect(restarted.exitCode).toBe(0);
    expect(restarted.stdout).toContain(`Restarted ${f.name}`);
    const second = await inspect(f.name);
    expect(second?.Id).not.toBe(first?.Id);
    expect(second?.Config.Env).toContain('STIGMER_LLM_MODEL=qwen');
    expect(await inspect(first?.Id as string)).toBeUndefined();
  });

  it('keeps secrets out of --json, --explain, status and logs output', async () => {
    const f = await serverFixture();
    const outputs = [
      await runStigmer(f, ['server', 'start', '--json']),
      await runStigmer(f, ['server', 'start', '--explain']),
      await runStigmer(f, ['server', 'status', '--json']),
    ];
    for (const r of outputs) {
      expect(r.exitCode).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(f.canary);
    }
    expect(outputs[1]?.stdout).toContain('env ANTHROPIC_API_KEY=(secret)');
    // The program prints its key; `server logs` masks it.
    const deadline = Date.now() + 10_000;
    let logs = await runStigmer(f, ['server', 'logs', '--no-follow']);
    while (!logs.stdout.includes('runner up') && Date.now() < deadline)
      logs = await runStigmer(f, ['server', 'logs', '--no-follow']);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toContain('runner up key=***');
    expect(logs.stdout).not.toContain(f.canary);
  });

  it('stops gracefully and removes the container and state; stopping again succeeds and says so', async () => {
    const f = await serverFixture();
    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    const id = (await inspect(f.name))?.Id as string;
    const stopped = await runStigmer(f, ['server', 'stop']);
    expect(stopped.exitCode).toBe(0);
    expect(stopped.stdout).toContain(`${f.name} (${id.slice(0, 12)}) stopped and removed.`);
    expect(await inspect(f.name)).toBeUndefined();
    expect(await dataFiles(f.dataDir)).toEqual({});
    const again = await runStigmer(f, ['server', 'stop']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('not running');
  });

  it('stops a container that ignores SIGTERM within server.stopTimeout: the engine kills it', async () => {
    // Without an init process the shell is PID 1, which ignores SIGTERM.
    const f = await serverFixture({ agentRunner: { init: false }, server: { stopTimeout: '1s' } });
    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    const began = Date.now();
    const stopped = await runStigmer(f, ['server', 'stop']);
    expect(stopped.exitCode).toBe(0);
    expect(Date.now() - began).toBeLessThan(6_000);
    expect(await inspect(f.name)).toBeUndefined();
  });

  it('reports status and logs sensibly when the container was removed behind its back, and start replaces it', async () => {
    const f = await serverFixture();
    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    await harnessDocker().getContainer(f.name).remove({ force: true });

    const status = await runStigmer(f, ['server', 'status']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain('agent-runner: not running (no container)');
    expect(status.stdout).toContain('the state file named a container that is gone');
    const json = JSON.parse((await runStigmer(f, ['server', 'status', '--json'])).stdout);
    expect(json).toMatchObject({ state: 'not-found', running: false, stateFile: 'stale', container: null });

    const logs = await runStigmer(f, ['server', 'logs']);
    expect(logs.exitCode).toBe(14);
    expect(logs.stderr).toContain(`none is named ${f.name}`);
    expect(logs.stderr).toContain('stigmer server start');

    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    expect((await inspect(f.name))?.State.Running).toBe(true);
  });

  it('finds its container by label when the state file is gone and the name changed', async () => {
    const f = await serverFixture();
    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    const id = (await inspect(f.name))?.Id;
    const { rm } = await import('node:fs/promises');
    await rm(path.join(f.dataDir, 'agent-runner.json'));
    const status = JSON.parse(
      (await runStigmer(f, ['server', 'status', '--json'], { STIGMER_CONTAINER_NAME: `${f.name}-renamed` }))
        .stdout,
    );
    expect(status).toMatchObject({
      running: true,
      foundBy: 'labels',
      stateFile: 'missing',
      container: { id },
    });
    const stopped = await runStigmer(f, ['server', 'stop'], { STIGMER_CONTAINER_NAME: `${f.name}-renamed` });
    expect(stopped.exitCode).toBe(0);
    expect(await inspect(f.name)).toBeUndefined();
  });

  it('warns when no plugin contributes to the container spec (a chain without agent-runner)', async () => {
    // An image whose own command runs on: the bare spec has none of its own.
    const f = await serverFixture({ localImage: false });
    const docker = harnessDocker();
    const base = await docker.createContainer({ Image: await serverImage(), Cmd: ['sh'] });
    const [repo, tag] = f.localTag.split(':') as [string, string];
    await base
      .commit({ repo, tag, _body: { Cmd: LOOP_COMMAND } })
      .finally(() => base.remove({ force: true }));
    const configFile = path.join(f.cwd, '.stigmerrc');
    const config = JSON.parse(await readFile(configFile, 'utf8'));
    config.plugins = config.plugins.filter((p: unknown) => !(Array.isArray(p) && p[0] === 'agent-runner'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(configFile, JSON.stringify(config));
    const result = await runStigmer(f, ['server', 'start']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('warning: no plugin contributes to the container spec');
    expect(result.stderr).toContain('add "agent-runner" to "plugins"');
    expect((await inspect(f.name))?.HostConfig.RestartPolicy?.Name ?? '').toMatch(/^(no)?$/);
  });

  it('status --json reports state, health, image, digest, uptime and restart count', async () => {
    const f = await serverFixture();
    expect((await runStigmer(f, ['server', 'start'])).exitCode).toBe(0);
    const doc = JSON.parse((await runStigmer(f, ['server', 'status', '--json'])).stdout);
    // The digest is the registry's, when the image was ever pushed or pulled (other tests push it).
    const repoDigests = (await harnessDocker().getImage(f.localTag).inspect()).RepoDigests ?? [];
    expect(doc).toMatchObject({
      ok: true,
      state: 'running',
      running: true,
      health: 'none',
      image: f.localTag,
      digest: repoDigests[0] ?? null,
      restartCount: 0,
      managed: true,
      foundBy: 'state',
      stateFile: 'ok',
      dataDir: f.dataDir,
      container: { name: f.name, imageId: await serverImage() },
    });
    expect(doc.uptimeMs).toBeGreaterThanOrEqual(0);
  });
});
