import { describe, expect, it } from 'vitest';
import { harness } from '../harness/context.js';
import { projectDir, stigmer } from './run.js';

describe('stigmer config print', () => {
  it('shows each effective value with its source: environment, file, default or discovery', async () => {
    const cwd = await projectDir({
      '.stigmerrc': 'image:\n  localTag: from-file:1\ntimeouts:\n  resolveImage: 10m\n',
    });
    const result = await stigmer(['config', 'print'], {
      cwd,
      env: { STIGMER_TIMEOUT_CREDENTIALS: '45s', STIGMER_PLATFORM: 'linux/arm64' },
    });
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    const row = (key: string) => lines.find((l) => l.startsWith(`${key} `))?.replace(/\s+/g, ' ');
    expect(lines[0]).toBe(`# config file: ${cwd}/.stigmerrc (project)`);
    expect(row('image.localTag')).toBe(`image.localTag from-file:1 (file ${cwd}/.stigmerrc)`);
    expect(row('image.platform')).toBe('image.platform linux/arm64 (env STIGMER_PLATFORM)');
    expect(row('timeouts.credentials')).toBe('timeouts.credentials 45s (env STIGMER_TIMEOUT_CREDENTIALS)');
    expect(row('timeouts.resolveImage')).toBe(`timeouts.resolveImage 10m (file ${cwd}/.stigmerrc)`);
    expect(row('engine.host')).toBe(`engine.host ${harness().dockerHost} (discovery DOCKER_HOST)`);
    expect(row('plugins')).toBe(
      'plugins ["local-image","ghcr","build-hint","agent-runner"] (built-in default)',
    );
  });

  it('prints JSON with --json', async () => {
    const cwd = await projectDir();
    const result = await stigmer(['config', 'print', '--json'], { cwd, env: { STIGMER_LOCAL_TAG: 'env:1' } });
    const doc = JSON.parse(result.stdout);
    expect(doc.configFile).toBeNull();
    expect(doc.settings).toContainEqual({
      key: 'image.localTag',
      value: 'env:1',
      source: { kind: 'env', name: 'STIGMER_LOCAL_TAG' },
    });
  });
});

describe('stigmer config validate', () => {
  it('accepts a valid config and names the plugins it loaded', async () => {
    const cwd = await projectDir({
      '.stigmerrc': 'plugins: [local-image, [ghcr, {registry: "127.0.0.1:5000"}], build-hint]\n',
    });
    const result = await stigmer(['config', 'validate'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      `${cwd}/.stigmerrc is valid; plugins: stigmer:local-image, stigmer:ghcr, stigmer:build-hint, stigmer:credentials\n`,
    );
    expect(result.exitCode).toBe(0);
  });

  it('names the file, the key path and what was expected, and exits 78', async () => {
    const cwd = await projectDir({
      '.stigmerrc': 'plugins:\n  - local-image\n  - [ghcr, {registry: 5000, regsitry: x}]\n',
    });
    const result = await stigmer(['config', 'validate'], { cwd });
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toBe(
      [
        'The stigmer configuration has 2 problems:',
        `In ${cwd}/.stigmerrc:`,
        '  - plugins[1][1].registry: expected string, received number',
        '  - plugins[1][1].regsitry: unknown option (not an option of stigmer:ghcr)',
        '',
      ].join('\n'),
    );
  });

  it('says where it looked for a missing plugin, and exits 78', async () => {
    const cwd = await projectDir({ '.stigmerrc': 'plugins: [local-image, nope]\n' });
    const result = await stigmer(['config', 'validate'], { cwd });
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toContain('Cannot find plugin "nope" (plugins[1] in');
    expect(result.stderr).toContain(`  - stigmer-plugin-nope from ${cwd}`);
  });

  it('is a usage error (exit 2) to give an unknown command', async () => {
    const result = await stigmer(['config', 'frobnicate'], { cwd: await projectDir() });
    expect(result.exitCode).toBe(2);
  });
});
