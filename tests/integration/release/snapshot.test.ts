import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, run } from './run.js';

// The standalone binary starts from a snapshot of the CLI's heap, made when it
// is built (packages/cli/scripts/snapshot.mjs). Whatever a module reads while
// loading is frozen in it, so the build watches for such reads and fails.
let work: string;
let banner: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'stigmer-it-snapshot-'));
  const printed = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "process.stdout.write((await import('./packages/cli/scripts/snapshot.mjs')).snapshotBanner)",
    ],
    { cwd: REPO },
  );
  expect(printed.exitCode, printed.stderr).toBe(0);
  banner = printed.stdout;
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Builds a snapshot (as sea.mjs does, on this Node.js) of the banner and one module, as esbuild wraps it. */
async function buildSnapshot(moduleBody: string, main = '() => {}') {
  const script = path.join(work, `main-${Math.random().toString(36).slice(2)}.cjs`);
  await writeFile(
    script,
    `${banner}
var modules = { "../../node_modules/reads-on-load/index.js"() { ${moduleBody} } };
(0, modules["../../node_modules/reads-on-load/index.js"])();
__stigmerSnapshotReady([modules]);
require('node:v8').startupSnapshot.setDeserializeMainFunction(${main});
`,
  );
  const blob = `${script}.blob`;
  return {
    blob,
    ...(await run(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', script], { cwd: work })),
  };
}

describe('the start-up snapshot build', () => {
  it('fails, naming the module and what it read, when a module reads the environment while loading', async () => {
    const result = await buildSnapshot(
      "globalThis.home = process.env.HOME; globalThis.tty = require('node:tty').isatty(2); globalThis.tmp = require('node:os').tmpdir();",
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(
      'snapshot: these modules read, while loading, what the binary would then see as it was on the build machine:\n' +
        '  ../../node_modules/reads-on-load/index.js: process.env.HOME, tty.isatty(), os.tmpdir()\n',
    );
  });

  it('builds when the module reads the environment only once the binary runs, which then sees its own', async () => {
    const built = await buildSnapshot(
      'globalThis.readHome = () => process.env.HOME;',
      '() => console.log(globalThis.readHome())',
    );
    // Node's own warnings (node:tty is "not yet fully verified" in snapshots) are all it prints.
    expect(built.stderr).not.toContain('snapshot:');
    expect(built.exitCode, built.stderr).toBe(0);
    const home = path.join(work, 'another-home');
    const started = await run(process.execPath, ['--snapshot-blob', built.blob], {
      cwd: work,
      env: { HOME: home },
    });
    expect(started).toEqual({ exitCode: 0, stdout: `${home}\n`, stderr: '' });
  });
});
