import { describe, expect, it } from 'vitest';
import type { ContainerSpec } from '../engine/types.js';
import {
  fingerprint,
  fingerprintDifferences,
  fingerprintHash,
  parseFingerprint,
  SECRET_PLACEHOLDER,
  secretDifferences,
} from './fingerprint.js';

const spec: ContainerSpec = {
  name: 'stigmer-agent-runner',
  image: 'stigmer-agent-runner:local',
  env: { MODE: 'local', LOG_LEVEL: 'DEBUG', ANTHROPIC_API_KEY: 'sk-ant-secret' },
  labels: { team: 'a', 'org.stigmer.cli-version': '0.1.0' },
  mounts: [{ source: '/d/workspace', target: '/workspace' }],
  networkMode: 'host',
  restartPolicy: 'unless-stopped',
  log: { driver: 'json-file', options: { 'max-size': '10m' } },
  secretEnv: ['ANTHROPIC_API_KEY'],
};

describe('the spec fingerprint recorded on the container', () => {
  it('replaces secret values and leaves out core labels', () => {
    const print = fingerprint(spec, 'sha256:img');
    expect(print.env.ANTHROPIC_API_KEY).toBe(SECRET_PLACEHOLDER);
    expect(JSON.stringify(print)).not.toContain('sk-ant-secret');
    expect(print.labels).toEqual({ team: 'a' });
    expect(parseFingerprint(JSON.stringify(print))).toEqual(print);
  });

  it('hashes equal specs equally whatever the key order, and a secret value change not at all', () => {
    const reordered: ContainerSpec = {
      ...spec,
      env: { ANTHROPIC_API_KEY: 'other', LOG_LEVEL: 'DEBUG', MODE: 'local' },
    };
    expect(fingerprintHash(fingerprint(reordered, 'sha256:img'))).toBe(
      fingerprintHash(fingerprint(spec, 'sha256:img')),
    );
    expect(fingerprintHash(fingerprint(spec, 'sha256:other'))).not.toBe(
      fingerprintHash(fingerprint(spec, 'sha256:img')),
    );
  });

  it('records extra hosts only when there are any (older fingerprints stay equal) and names them when they change', () => {
    const without = fingerprint(spec, 'sha256:img');
    expect(without).not.toHaveProperty('extraHosts');
    expect(fingerprintHash(fingerprint({ ...spec, extraHosts: [] }, 'sha256:img'))).toBe(
      fingerprintHash(without),
    );
    const withGateway = fingerprint(
      { ...spec, extraHosts: ['host.docker.internal:host-gateway'] },
      'sha256:img',
    );
    expect(fingerprintDifferences(without, withGateway)).toEqual([
      'extra hosts: (none) → ["host.docker.internal:host-gateway"]',
    ]);
  });

  it('says what differs in words, secret values never', () => {
    const before = fingerprint(spec, 'sha256:aaaaaaaaaaaaaaaa');
    const after = fingerprint(
      {
        ...spec,
        env: { MODE: 'local', LOG_LEVEL: 'INFO', EXTRA: '1', ANTHROPIC_API_KEY: 'x' },
        mounts: [],
        restartPolicy: 'no',
        secretEnv: ['ANTHROPIC_API_KEY'],
      },
      'sha256:bbbbbbbbbbbbbbbb',
    );
    expect(fingerprintDifferences(before, after)).toEqual([
      'image: aaaaaaaaaaaa → bbbbbbbbbbbb',
      'env EXTRA added (1)',
      'env LOG_LEVEL: DEBUG → INFO',
      'mounts: /d/workspace:/workspace → (none)',
      'restart policy: unless-stopped → no',
    ]);
    const unsecret = fingerprint({ ...spec, secretEnv: [] }, 'sha256:aaaaaaaaaaaaaaaa');
    expect(fingerprintDifferences(before, unsecret)).toEqual(['env ANTHROPIC_API_KEY changed (secret)']);
    expect(fingerprintDifferences(before, before)).toEqual([]);
  });

  it('compares secret values against the container environment in memory, naming only the key', () => {
    expect(secretDifferences(spec, ['MODE=local', 'ANTHROPIC_API_KEY=sk-ant-secret'])).toEqual([]);
    expect(secretDifferences(spec, ['ANTHROPIC_API_KEY=sk-ant-old'])).toEqual([
      'env ANTHROPIC_API_KEY changed (secret)',
    ]);
  });

  it('rejects a label that is not a fingerprint', () => {
    expect(parseFingerprint(undefined)).toBeUndefined();
    expect(parseFingerprint('{')).toBeUndefined();
    expect(parseFingerprint('{"name":"x"}')).toBeUndefined();
  });
});
