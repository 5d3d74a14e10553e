import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { spawnCollect } from '../harness/process.js';
import { REPO } from '../release/run.js';
import { failure } from './json-schemas.js';
import { projectDir, STIGMER_BIN, stigmer } from './run.js';

// bin/stigmer.js is the one file every Node.js reads before stigmer says it is
// too old; these tests keep it readable by old Node.js and its floor honest.

const source = () => readFile(STIGMER_BIN, 'utf8');

/** The floor written in bin/stigmer.js (`var MINIMUM = [22, 12];`), as "22.12". */
async function floor(): Promise<string> {
  const match = /var MINIMUM = \[(\d+), (\d+)\];/.exec(await source());
  if (!match) throw new Error(`${STIGMER_BIN} has no MINIMUM = [major, minor]`);
  return `${match[1]}.${match[2]}`;
}

/** Every package.json of the repository: the root's, the workspace packages', the example plugin's. */
async function manifests(): Promise<{ file: string; engines?: { node?: string } }[]> {
  const files = ['package.json'];
  for (const folder of ['packages', 'examples']) {
    for (const name of await readdir(path.join(REPO, folder))) files.push(`${folder}/${name}/package.json`);
  }
  return Promise.all(
    files.map(async (file) => ({ file, ...JSON.parse(await readFile(path.join(REPO, file), 'utf8')) })),
  );
}

/** Runs the bin on this Node.js made to report `version` (a preload rewrites process.versions.node). */
async function onNode(version: string, args: string[]) {
  const cwd = await projectDir();
  const preload = path.join(cwd, 'old-node.cjs');
  await writeFile(
    preload,
    `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} });\n`,
  );
  return spawnCollect(process.execPath, ['--require', preload, STIGMER_BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd },
  }).done;
}

describe('the Node.js version guard in bin/stigmer.js', () => {
  it('parses as an ECMAScript 5 script, so any old Node.js can run it far enough to say what is wrong', async () => {
    const text = await source();
    expect(() => parse(text, { ecmaVersion: 5, sourceType: 'script', allowHashBang: true })).not.toThrow();
    // CommonJS whatever the package's type: the bin folder's package.json says so.
    const scope = JSON.parse(await readFile(path.join(path.dirname(STIGMER_BIN), 'package.json'), 'utf8'));
    expect(scope).toEqual({ type: 'commonjs' });
  });

  it('has the floor of every package.json engines field', async () => {
    const required = `>=${await floor()}`;
    const found = await manifests();
    expect(found.length).toBeGreaterThan(10);
    for (const { file, engines } of found) expect(engines?.node, file).toBe(required);
  });

  it('refuses an older Node.js with one line on stderr and exit 78, before loading anything', async () => {
    const result = await onNode('20.20.2', ['image', 'resolve']);
    expect(result.exitCode).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `stigmer needs Node.js ${await floor()} or later; this is Node.js 20.20.2 (${process.execPath}). ` +
        'Install Node.js 24 LTS (or 22), or the standalone stigmer binary, which carries its own.\n',
    );
  });

  it('answers --json with the failure document every command uses', async () => {
    const result = await onNode('22.11.0', ['--json', 'version']);
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toBe('');
    const doc = failure.parse(JSON.parse(result.stdout));
    expect(doc.error).toMatchObject({
      code: 'NODE_UNSUPPORTED',
      exitCode: 78,
      details: { node: '22.11.0', required: `>=${await floor()}` },
    });
  });

  it('runs the CLI on the floor itself and on later versions', async () => {
    const version = JSON.parse(
      await readFile(path.join(path.dirname(STIGMER_BIN), '../package.json'), 'utf8'),
    ).version;
    for (const node of [`${await floor()}.0`, '24.0.0', '26.1.0']) {
      const result = await onNode(node, ['--version']);
      expect(result, node).toMatchObject({ exitCode: 0, stdout: `${version}-dev\n`, stderr: '' });
    }
  });

  it('lets the CLI the tests spawn run on the Node.js that runs the tests (22 or 24 in CI)', async () => {
    const result = await stigmer(['--json', 'version'], { cwd: await projectDir() });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).node.version).toBe(process.version);
  });
});
