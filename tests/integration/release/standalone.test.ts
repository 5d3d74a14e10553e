import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, harnessDocker } from '../harness/context.js';
import { makeTestImage, removeImages } from '../harness/images.js';
import { make, REPO, type RunResult, run, tempProject } from './run.js';

// The standalone binary (Node's single-executable application) is built once
// for this file by `make release-local`, exactly as a developer installs it,
// into a temporary INSTALL_DIR; every test below runs that installed copy.
let installDir: string;
let stigmerBin: string;
let built: RunResult;
const cliVersion = async () =>
  (JSON.parse(await readFile(path.join(REPO, 'packages/cli/package.json'), 'utf8')) as { version: string })
    .version;

const tag = `stigmer-it/agent-runner:standalone-${process.pid}`;

/** Runs the installed standalone binary in `cwd` against the harness's engine, with a minimal environment. */
function standalone(args: string[], cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  return run(stigmerBin, args, { cwd, env: { DOCKER_HOST: harness().dockerHost, ...env } });
}

let localId: string;

beforeAll(async () => {
  // This file's own local image, so nothing else that runs on the engine can take it away.
  localId = await makeTestImage(tag, { docker: harnessDocker() });
  installDir = await mkdtemp(path.join(tmpdir(), 'stigmer-it-install-'));
  stigmerBin = path.join(installDir, 'stigmer');
  built = await make(['release-local', `INSTALL_DIR=${installDir}`], harness().dockerHost);
});

afterAll(async () => {
  await removeImages(harnessDocker(), [tag]);
  if (installDir) await rm(installDir, { recursive: true, force: true });
});

describe('make release-local and the standalone binary', () => {
  it('installs an executable that prints the embedded dev version, with no Node script beside it', async () => {
    expect(built.stderr).not.toMatch(/error/i);
    expect(built.exitCode).toBe(0);
    const version = `${await cliVersion()}-dev`;
    expect(built.stdout).toContain(`installed ${stigmerBin} ${version}`);
    // Run from an empty folder: nothing from the repository is reachable by a relative path.
    const cwd = await tempProject('stigmer-it-sea-');
    const result = await standalone(['--version'], cwd);
    expect(result).toEqual({ exitCode: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('resolves a local image through the real engine, never asking the registry configured for ghcr', async () => {
    // The ghcr plugin points at a loopback port nobody listens on: a pull attempt would fail the test.
    const cwd = await tempProject('stigmer-it-sea-', {
      '.stigmerrc': JSON.stringify({
        image: { localTag: tag },
        plugins: [
          'local-image',
          ['ghcr', { registry: '127.0.0.1:9', repository: 'stigmer/agent-runner', tag: '0.1.0' }],
          'build-hint',
        ],
      }),
    });
    const result = await standalone(['image', 'resolve', '--explain'], cwd);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`${tag} (${localId.slice(0, 19)}, `);
    expect(result.stdout).toContain('from local engine');
    expect(result.stdout).toMatch(/resolveImage\s+stigmer:local-image\s+resolved/);
    expect(result.stdout).not.toContain('stigmer:ghcr');
  });

  it('pulls from a loopback registry with ghcr-like token auth when the local image is missing', async () => {
    const registry = harness().tokenRegistry;
    const localTag = `stigmer-it/agent-runner:standalone-pull-${process.pid}`;
    const cwd = await tempProject('stigmer-it-sea-', {
      '.stigmerrc': JSON.stringify({
        image: { localTag },
        plugins: ['local-image', ['ghcr', { registry, repository: 'stigmer/agent-runner', tag: 'latest' }]],
      }),
    });
    try {
      const result = await standalone(['image', 'resolve', '--json'], cwd);
      expect(result.exitCode).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        ok: true,
        image: { reference: localTag, id: harness().testImage.id },
      });
    } finally {
      await removeImages(harnessDocker(), [localTag, `${registry}/stigmer/agent-runner:latest`]);
    }
  });

  it('loads a plugin file named in the config (import() inside the single executable)', async () => {
    const cwd = await tempProject('stigmer-it-sea-', {
      'probe-plugin.mjs': `
export default function probe() {
  return {
    name: 'probe',
    version: '1.0.0',
    apiVersion: '1.0',
    apply(hooks) {
      hooks.resolveImage.tap(async (_request, ctx) => {
        const image = await ctx.engine.inspectImage(${JSON.stringify(tag)});
        return image ? { reference: ${JSON.stringify(tag)}, id: image.id, source: 'the probe plugin' } : undefined;
      });
    },
  };
}
`,
      '.stigmerrc': JSON.stringify({ plugins: ['./probe-plugin.mjs'] }),
    });
    const result = await standalone(['image', 'resolve'], cwd);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`${tag} (${localId.slice(0, 19)}`);
    expect(result.stdout).toContain('the probe plugin');
  });

  it('says that ssh:// engines need the npm install, instead of failing inside the SEA loader', async () => {
    const cwd = await tempProject('stigmer-it-sea-');
    // ssh2 is not in the binary, so nothing is ever sent to this address.
    const result = await standalone(['image', 'resolve'], cwd, {
      DOCKER_HOST: 'ssh://stigmer@127.0.0.1:9',
      STIGMER_LOCAL_TAG: tag,
    });
    expect(result.exitCode).toBe(74);
    expect(result.stderr).toContain(
      'Reaching a Docker engine over ssh:// needs the ssh2 module, which the standalone stigmer binary does not include',
    );
    expect(result.stderr).toContain('npm install -g @stigmer/cli');
    expect(result.stderr).not.toContain('ERR_UNKNOWN_BUILTIN_MODULE');
    expect(result.stderr).not.toContain('only supports loading built-in modules');
  });

  it('says that a TypeScript config file needs the npm install', async () => {
    const cwd = await tempProject('stigmer-it-sea-', {
      '.stigmerrc.ts': `export default { image: { localTag: ${JSON.stringify(tag)} } };\n`,
    });
    const result = await standalone(['image', 'resolve'], cwd);
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toContain(
      'A TypeScript config file (.stigmerrc.ts, stigmer.config.ts) needs the typescript module, which the standalone stigmer binary does not include',
    );
    expect(result.stderr).not.toContain('only supports loading built-in modules');
  });

  it("carries the project's own Node.js 24 LTS (node_modules/node), whatever Node.js ran the build", async () => {
    const { version } = JSON.parse(await readFile(path.join(REPO, 'node_modules/node/package.json'), 'utf8'));
    const result = await standalone(['--json', 'version'], await tempProject('stigmer-it-sea-'));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).node.version).toBe(`v${version}`);
    expect(version).toMatch(/^24\./);
  });

  // It starts from a snapshot made at build time: what it reads from the
  // environment must be read when it runs, not frozen at build time.
  it('reads HOME when it runs: the user-level config of the home it is given', async () => {
    const home = await tempProject('stigmer-it-sea-home-', {
      '.stigmerrc': JSON.stringify({ image: { localTag: tag } }),
    });
    const cwd = await tempProject('stigmer-it-sea-');
    const result = await standalone(['image', 'resolve'], cwd, { HOME: home });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`${tag} (${localId.slice(0, 19)}`);
  });

  it('reads DEBUG when it runs: DEBUG=modem shows the engine client’s requests', async () => {
    const cwd = await tempProject('stigmer-it-sea-');
    const result = await standalone(['image', 'resolve'], cwd, { DEBUG: 'modem', STIGMER_LOCAL_TAG: tag });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('modem Sending:');
  });
});
