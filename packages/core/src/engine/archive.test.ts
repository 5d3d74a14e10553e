import { describe, expect, it } from 'vitest';
import { parseLoadAnswer } from './archive.js';

describe("reading the engine's answer to a docker load", () => {
  it('collects the ids it loaded', () => {
    const answer = [
      '{"stream":"Loaded image ID: sha256:abc\\n"}',
      '{"stream":"Loaded image ID: sha256:def\\n"}',
      '',
    ].join('\r\n');
    expect(parseLoadAnswer(answer, 'load x')).toEqual({ ids: ['sha256:abc', 'sha256:def'] });
  });

  it('refuses an answer that names an image: a load without names must set none', () => {
    const answer = '{"stream":"Loaded image: stigmer-agent-runner:local\\n"}\n';
    expect(() => parseLoadAnswer(answer, 'load x')).toThrow(
      'Docker engine named stigmer-agent-runner:local while it was asked to load x without names',
    );
  });

  it('throws the error the engine reported inside a successful answer (a truncated archive)', () => {
    const answer = '{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\n';
    expect(() => parseLoadAnswer(answer, 'load /tmp/a.tar')).toThrow(
      'Docker engine could not load /tmp/a.tar: unexpected EOF',
    );
  });

  it('refuses an answer that loaded nothing', () => {
    expect(() => parseLoadAnswer('', 'load /tmp/a.tar')).toThrow(/it loaded nothing/);
  });
});
