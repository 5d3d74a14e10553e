import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { askHelper } from './helper.js';

/** Real helper programs (small shell scripts) on PATH, as the docker CLI runs them. */
const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

async function helper(name: string, script: string): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-helper-'));
  const file = path.join(dir, `docker-credential-${name}`);
  await writeFile(file, `#!/bin/sh\n${script}\n`);
  await chmod(file, 0o755);
  process.env.PATH = `${dir}:${savedPath}`;
}

describe('askHelper', () => {
  it('sends the server on stdin and reads the answer', async () => {
    await helper('t1', 'read s; printf \'{"ServerURL":"%s","Username":"u-%s","Secret":"x"}\' "$s" "$s"');
    expect(await askHelper('t1', 'ghcr.io')).toEqual({
      kind: 'found',
      auth: { username: 'u-ghcr.io', password: 'x', serverAddress: 'ghcr.io' },
    });
  });

  it('treats a <token> user name as an identity token', async () => {
    await helper('t2', 'echo \'{"Username":"<token>","Secret":"tok"}\'');
    expect(await askHelper('t2', 'r.example')).toEqual({
      kind: 'found',
      auth: { identityToken: 'tok', serverAddress: 'r.example' },
    });
  });

  it('"credentials not found" is no answer, not a failure', async () => {
    await helper('t3', 'echo "credentials not found in native keychain"; exit 1');
    expect(await askHelper('t3', 'ghcr.io')).toEqual({ kind: 'none' });
  });

  it('a missing or failing helper is a failure with a reason that quotes nothing it printed', async () => {
    expect(await askHelper('stigmer-no-such-helper', 'ghcr.io')).toEqual({
      kind: 'failed',
      reason: 'docker-credential-stigmer-no-such-helper is not installed (not found on PATH)',
    });
    await helper('t4', 'echo "secret-in-output"; exit 3');
    expect(await askHelper('t4', 'ghcr.io')).toEqual({
      kind: 'failed',
      reason: 'docker-credential-t4 get exited with code 3',
    });
    await helper('t5', 'echo "not json secret-in-output"');
    const answer = await askHelper('t5', 'ghcr.io');
    expect(JSON.stringify(answer)).not.toContain('secret-in-output');
  });
});
