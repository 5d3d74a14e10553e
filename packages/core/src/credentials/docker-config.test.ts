import { describe, expect, it } from 'vitest';
import {
  authFromEntry,
  helperServerUrl,
  lookup,
  normaliseRegistry,
  parseDockerConfig,
} from './docker-config.js';

describe('docker config', () => {
  it('matches registry keys however docker wrote them', () => {
    expect(normaliseRegistry('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normaliseRegistry('http://127.0.0.1:5000/v2/')).toBe('127.0.0.1:5000');
    expect(normaliseRegistry('GHCR.io')).toBe('ghcr.io');
    expect(lookup({ 'https://ghcr.io': 'a', 'quay.io': 'b' }, 'ghcr.io')).toEqual(['https://ghcr.io', 'a']);
    expect(lookup(undefined, 'ghcr.io')).toBeUndefined();
  });

  it('asks helpers about Docker Hub by its historic URL', () => {
    expect(helperServerUrl('docker.io')).toBe('https://index.docker.io/v1/');
    expect(helperServerUrl('ghcr.io')).toBe('ghcr.io');
  });

  it('reads auth entries: base64 user:password, identity tokens, placeholders', () => {
    const auth = Buffer.from('me:pa:ss').toString('base64');
    expect(authFromEntry({ auth }, 'ghcr.io')).toEqual({
      username: 'me',
      password: 'pa:ss',
      serverAddress: 'ghcr.io',
    });
    expect(authFromEntry({ username: 'me', identitytoken: 'tok' }, 'r')).toEqual({
      username: 'me',
      identityToken: 'tok',
      serverAddress: 'r',
    });
    // credsStore leaves empty entries in auths: no credentials there.
    expect(authFromEntry({}, 'ghcr.io')).toBeUndefined();
  });

  it('never quotes the text of a malformed config (it holds secrets)', () => {
    expect(() => parseDockerConfig('{"auths": s3cret', 'DOCKER_AUTH_CONFIG')).toThrow(
      /^DOCKER_AUTH_CONFIG is not valid JSON$/,
    );
    expect(() => parseDockerConfig('["s3cret"]', '/x/config.json')).toThrow(
      /^\/x\/config.json is not a JSON object$/,
    );
  });
});
