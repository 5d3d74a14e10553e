import { describe, expect, it } from 'vitest';
import { EngineError, InterruptedError, PullError } from '../errors.js';
import { classifyPullError } from './classify.js';

const engine = (message: string, statusCode?: number) =>
  new EngineError('ENGINE_FAILED', message, { details: statusCode === undefined ? {} : { statusCode } });

describe("classifyPullError sorts the engine's words into classes", () => {
  it.each([
    ['manifest for 127.0.0.1:5000/a/b:x not found: manifest unknown: manifest unknown', 'not-found'],
    [
      "pull access denied for 127.0.0.1:5000/a/b, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      'unauthorized',
    ],
    ['Head "https://ghcr.io/v2/a/b/manifests/x": unauthorized', 'unauthorized'],
    ['Head "http://127.0.0.1:5000/v2/a/b/manifests/x": no basic auth credentials', 'unauthorized'],
    ['toomanyrequests: rate limit exceeded', 'rate-limited'],
    ['received unexpected HTTP status: 503 Service Unavailable', 'transient'],
    ['Head "http://127.0.0.1:5000/v2/a/b/manifests/x": EOF', 'transient'],
    ['read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer', 'transient'],
    ['Get "http://127.0.0.1:5000/v2/": context deadline exceeded', 'transient'],
    ['Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io: no such host', 'unreachable'],
    [
      'Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io: Temporary failure in name resolution',
      'unreachable',
    ],
    [
      'Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io on 127.0.0.53:53: server misbehaving',
      'unreachable',
    ],
    ['Get "http://127.0.0.1:9/v2/": dial tcp 127.0.0.1:9: connect: connection refused', 'unreachable'],
    ['Get "https://10.1.2.3/v2/": dial tcp 10.1.2.3:443: connect: network is unreachable', 'unreachable'],
    ['received unexpected HTTP status: 502 Bad Gateway (upstream: connection refused)', 'transient'],
    ['no matching manifest for linux/s390x in the manifest list entries', 'wrong-platform'],
    ['something nobody has seen before', 'failed'],
  ])('%s → %s', (message, kind) => {
    expect(classifyPullError(engine(message))).toBe(kind);
  });

  it('uses codes before words: interrupted, engine down, stalled, HTTP 429', () => {
    expect(classifyPullError(new InterruptedError('SIGINT'))).toBe('interrupted');
    expect(classifyPullError(new EngineError('ENGINE_UNREACHABLE', 'Docker is not running'))).toBe(
      'engine-down',
    );
    expect(classifyPullError(new PullError('PULL_STALLED', 'no progress for 2s'))).toBe('stalled');
    expect(classifyPullError(engine('odd words', 429))).toBe('rate-limited');
  });

  it('does not take a registry port for an HTTP status', () => {
    expect(classifyPullError(engine('something odd at 127.0.0.1:500/x'))).toBe('failed');
  });
});
