import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECRETS_WRAPPER } from './service-spec.js';

describe('the secrets wrapper', () => {
  it('exports each secret file as its variable, byte for byte, then execs the command', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stigmer-secrets-'));
    writeFileSync(path.join(dir, 'stigmer-env.API_KEY'), 'sk-with $pecial "chars"\n');
    const script = SECRETS_WRAPPER.replaceAll('/run/secrets/', `${dir}/`);
    const out = execFileSync('/bin/sh', ['-c', script, 'wrapper', 'sh', '-c', 'printf %s "$API_KEY"']);
    expect(out.toString()).toBe('sk-with $pecial "chars"\n');
  });
});
