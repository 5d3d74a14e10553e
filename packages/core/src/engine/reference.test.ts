import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { formatReference, parseReference } from './reference.js';

const HEX = 'a'.repeat(64);
const DIGEST = `sha256:${HEX}`;

describe('parseReference', () => {
  // Each row: text → registry, repository, tag, digest, familiar form.
  const valid: Array<[string, string, string, string | undefined, string | undefined, string]> = [
    ['ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined, 'ubuntu:latest'],
    ['ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', undefined, 'ubuntu:22.04'],
    ['library/ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined, 'ubuntu:latest'],
    ['docker.io/library/ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', undefined, 'ubuntu:22.04'],
    ['index.docker.io/foo/bar', 'docker.io', 'foo/bar', 'latest', undefined, 'foo/bar:latest'],
    ['foo/bar', 'docker.io', 'foo/bar', 'latest', undefined, 'foo/bar:latest'],
    ['docker.io/library/a/b', 'docker.io', 'library/a/b', 'latest', undefined, 'library/a/b:latest'],
    [
      'stigmer-agent-runner:local',
      'docker.io',
      'library/stigmer-agent-runner',
      'local',
      undefined,
      'stigmer-agent-runner:local',
    ],
    [
      'ghcr.io/stigmer/agent-runner:v0.0.11',
      'ghcr.io',
      'stigmer/agent-runner',
      'v0.0.11',
      undefined,
      'ghcr.io/stigmer/agent-runner:v0.0.11',
    ],
    ['127.0.0.1:5000/a/b:tag', '127.0.0.1:5000', 'a/b', 'tag', undefined, '127.0.0.1:5000/a/b:tag'],
    ['127.0.0.1:5000/a/b', '127.0.0.1:5000', 'a/b', 'latest', undefined, '127.0.0.1:5000/a/b:latest'],
    ['localhost/foo', 'localhost', 'foo', 'latest', undefined, 'localhost/foo:latest'],
    ['localhost:5000/foo:1', 'localhost:5000', 'foo', '1', undefined, 'localhost:5000/foo:1'],
    ['registry:5000/foo', 'registry:5000', 'foo', 'latest', undefined, 'registry:5000/foo:latest'],
    ['[::1]:5000/foo:bar', '[::1]:5000', 'foo', 'bar', undefined, '[::1]:5000/foo:bar'],
    ['Registry/foo', 'Registry', 'foo', 'latest', undefined, 'Registry/foo:latest'],
    ['a__b/c-d.e_f--g', 'docker.io', 'a__b/c-d.e_f--g', 'latest', undefined, 'a__b/c-d.e_f--g:latest'],
    [`busybox@${DIGEST}`, 'docker.io', 'library/busybox', undefined, DIGEST, `busybox@${DIGEST}`],
    [`ghcr.io/a/b:v1@${DIGEST}`, 'ghcr.io', 'a/b', 'v1', DIGEST, `ghcr.io/a/b:v1@${DIGEST}`],
    [`127.0.0.1:5000/a@${DIGEST}`, '127.0.0.1:5000', 'a', undefined, DIGEST, `127.0.0.1:5000/a@${DIGEST}`],
  ];

  it.each(valid)(
    'parses %s per the distribution grammar',
    (text, registry, repository, tag, digest, familiar) => {
      const parsed = parseReference(text);
      expect(parsed).toEqual({
        registry,
        repository,
        familiar,
        ...(tag === undefined ? {} : { tag }),
        ...(digest === undefined ? {} : { digest }),
      });
    },
  );

  // Each row: text → a fragment of the reason given.
  const invalid: Array<[string, string]> = [
    ['', 'empty'],
    [HEX, 'image id'],
    ['Ubuntu', 'lowercase'],
    ['ghcr.io/Stigmer/app', 'lowercase'],
    ['ubuntu:', 'tag'],
    ['ubuntu:-bad', 'tag'],
    [`ubuntu:${'x'.repeat(129)}`, 'tag'],
    ['a//b', 'repository path'],
    ['-a', 'repository path'],
    ['a:b:c', 'repository path'],
    ['ghcr.io/', 'repository path'],
    [':tag', 'name is empty'],
    ['ubuntu@sha256:abc', 'not a digest'],
    [`ubuntu@md5:${'a'.repeat(32)}`, 'not supported'],
    [`ubuntu@sha256:${'a'.repeat(63)}`, '64 lowercase'],
    [`ubuntu@sha256:${'A'.repeat(64)}`, '64 lowercase'],
    ['bad_host.io:x/foo', 'registry host'],
    [`${'a'.repeat(256)}`, 'longer than 255'],
  ];

  it.each(invalid)('rejects %j with a ConfigError that says why (%s)', (text, reason) => {
    let error: unknown;
    try {
      parseReference(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    expect((error as ConfigError).message).toContain(reason);
    expect((error as ConfigError).details).toMatchObject({ reference: text });
  });

  it('stays fast on long invalid names (no catastrophic regex backtracking)', () => {
    const started = performance.now();
    for (const text of [`${'a'.repeat(5000)}!`, `${'a-'.repeat(2000)}!`, `${'a.'.repeat(100)}:x/y`]) {
      expect(() => parseReference(text)).toThrow(ConfigError);
    }
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('formatReference', () => {
  it('writes the fully qualified form by default and the familiar one on request', () => {
    const parsed = parseReference('ubuntu');
    expect(formatReference(parsed)).toBe('docker.io/library/ubuntu:latest');
    expect(formatReference(parsed, { familiar: true })).toBe('ubuntu:latest');
    expect(formatReference(parseReference('127.0.0.1:5000/a/b:t'))).toBe('127.0.0.1:5000/a/b:t');
  });

  it('round-trips every part, digest included', () => {
    const text = `ghcr.io/a/b:v1@${DIGEST}`;
    expect(formatReference(parseReference(text))).toBe(text);
    expect(parseReference(formatReference(parseReference('foo/bar:2')))).toEqual(parseReference('foo/bar:2'));
  });
});
