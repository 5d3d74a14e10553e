import type { ResolveRequest, TraceEntry, UnresolvedReport } from '@stigmer/core';
import { describe, expect, it } from 'vitest';
import { buildHintMessage } from './message.js';

/** A report as core makes it: `tried` has one line per attempt (core writes them; any text will do here). */
const reportOf = (report: Omit<UnresolvedReport, 'tried'>): UnresolvedReport => ({
  ...report,
  tried: report.attempts.map((a) => `  - ${a.plugin}: ${a.reason?.split('\n')[0] ?? a.outcome}`),
});

const request: ResolveRequest = {
  localTag: 'stigmer-agent-runner:local',
  platform: undefined,
  purpose: 'resolve',
  pullPolicy: 'missing',
  offline: false,
  build: false,
  cliVersion: '0.1.0',
};

const attempt = (plugin: string, reason: string, extra: Partial<TraceEntry> = {}): TraceEntry => ({
  seq: 1,
  hook: 'resolveImage',
  plugin,
  outcome: 'passed',
  reason,
  durationMs: 1,
  messages: [],
  ...extra,
});

const LOCAL = attempt('stigmer:local-image', 'stigmer-agent-runner:local is not in the local engine');
const DEFAULT_CHAIN = ['stigmer:local-image', 'stigmer:ghcr', 'stigmer:build-hint'];
const REF = 'ghcr.io/stigmer/agent-runner:v0.1.0';
const DNS = `Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io: no such host`;

/** The original CLI's message, word for word, for this reference and error. */
const original = (reference: string, error: string, localTag = 'stigmer-agent-runner:local') => [
  'Docker image not found locally and pull from registry failed.',
  '',
  `Registry pull attempted: ${reference}`,
  `Error: ${error}`,
  '',
  'To fix this, build the image locally:',
  '  make build-agent-runner-image',
  '',
  'Or if you have the repository:',
  '  cd backend/services/agent-runner',
  `  docker build -f Dockerfile -t ${localTag} ../../..`,
  '',
  'After building, restart Stigmer server.',
];

const BRING =
  'Or bring the image from a machine that has it: run `stigmer image export DIR` there, copy DIR here, then run `stigmer image import DIR`.';

describe('the build hint', () => {
  it('after a failed pull: the original message with the real reference and error', () => {
    const report = reportOf({
      request,
      attempts: [LOCAL, attempt('stigmer:ghcr', 'Could not reach ...\nmore', { outcome: 'failed' })],
      failure: {
        code: 'PULL_TRANSIENT',
        message: 'Could not reach ...',
        plugin: 'stigmer:ghcr',
        reference: REF,
        error: DNS,
      },
    });
    expect(buildHintMessage(report, {}, { plugins: DEFAULT_CHAIN }).split('\n')).toEqual([
      ...original(REF, DNS),
      '',
      BRING,
      '',
      'What each plugin tried:',
      '  - stigmer:local-image: stigmer-agent-runner:local is not in the local engine',
      '  - stigmer:ghcr: Could not reach ...',
    ]);
  });

  it('after a pull a plugin passed on (not found): the reference and error it noted', () => {
    const report = reportOf({
      request,
      attempts: [
        LOCAL,
        attempt('stigmer:ghcr', `pull of ${REF} failed`, { reference: REF, error: 'manifest unknown' }),
      ],
    });
    expect(buildHintMessage(report, {}, { plugins: DEFAULT_CHAIN }).split('\n').slice(0, 13)).toEqual(
      original(REF, 'manifest unknown'),
    );
  });

  it('names the configured local tag, also in the make command', () => {
    const report = reportOf({
      request: { ...request, localTag: 'acme/runner:dev' },
      attempts: [],
      failure: { code: 'PULL_UNAUTHORIZED', message: 'm', plugin: 'p', reference: REF, error: 'denied' },
    });
    const text = buildHintMessage(report, {}, { plugins: DEFAULT_CHAIN });
    expect(text).toContain('\n  make build-agent-runner-image AGENT_RUNNER_IMAGE=acme/runner:dev\n');
    expect(text).toContain('\n  docker build -f Dockerfile -t acme/runner:dev ../../..\n');
  });

  it('leads with --build when the rebuild plugin is loaded; --pull never too when the failed pull came first', () => {
    const plugins = ['stigmer:local-image', 'stigmer:ghcr', 'stigmer:rebuild', 'stigmer:build-hint'];
    const failed = reportOf({
      request,
      attempts: [LOCAL],
      failure: { code: 'PULL_TRANSIENT', message: 'm', plugin: 'stigmer:ghcr', reference: REF, error: DNS },
    });
    expect(buildHintMessage(failed, {}, { plugins })).toContain(
      'To fix this, build the image locally:\n  stigmer server start --build --pull never\n  make build-agent-runner-image\n',
    );
    const reached = reportOf({
      request: { ...request, offline: true },
      attempts: [LOCAL, attempt('stigmer:rebuild', 'run with --build')],
    });
    expect(buildHintMessage(reached, {}, { plugins })).toContain(
      'To fix this, build the image locally:\n  stigmer server start --build\n  make build-agent-runner-image\n',
    );
  });

  it('offline: says no registry was asked and why, and both ways out', () => {
    const report = reportOf({
      request: { ...request, offline: true },
      attempts: [LOCAL, attempt('stigmer:ghcr', `not pulling ${REF}: offline mode`, { reference: REF })],
    });
    const lines = buildHintMessage(report, {}, { plugins: DEFAULT_CHAIN }).split('\n');
    expect(lines[0]).toBe(
      'Docker image stigmer-agent-runner:local is not in the local engine, and no registry was asked: offline mode is on (--offline, "offline: true" in the config, or STIGMER_OFFLINE).',
    );
    expect(lines).toContain('  make build-agent-runner-image');
    expect(lines).toContain(BRING);
    expect(lines).toContain('After building or importing, restart Stigmer server.');
    expect(lines.join('\n')).not.toMatch(/pull from registry failed|no pull was attempted/);
  });

  it('pull policy never: says so, and how to let stigmer pull', () => {
    const report = reportOf({ request: { ...request, pullPolicy: 'never' }, attempts: [LOCAL] });
    expect(buildHintMessage(report, {}, { plugins: DEFAULT_CHAIN }).split('\n').slice(0, 2)).toEqual([
      'Docker image stigmer-agent-runner:local is not in the local engine, and no registry was asked: the pull policy is "never" (--pull never, image.pullPolicy in the config, or STIGMER_PULL_POLICY).',
      'To let stigmer pull it, run the command again with --pull missing.',
    ]);
  });

  it('offline with the offline plugin before it: only the build is added to that plugin’s hint', () => {
    const report = reportOf({ request: { ...request, offline: true }, attempts: [LOCAL] });
    const plugins = ['stigmer:offline', ...DEFAULT_CHAIN];
    expect(buildHintMessage(report, {}, { plugins }).split('\n')).toEqual([
      'To fix this, build the image locally:',
      '  make build-agent-runner-image',
      '',
      'Or if you have the repository:',
      '  cd backend/services/agent-runner',
      '  docker build -f Dockerfile -t stigmer-agent-runner:local ../../..',
      '',
      'After building or importing, restart Stigmer server.',
    ]);
  });

  it('uses the configured commands, {localTag} filled in; empty lists drop their section', () => {
    const report = reportOf({ request: { ...request, pullPolicy: 'never' }, attempts: [] });
    const text = buildHintMessage(
      report,
      { build: ['just image {localTag}'], fromRepository: [] },
      { plugins: [] },
    );
    expect(text).toContain(
      'To fix this, build the image locally:\n  just image stigmer-agent-runner:local\n\nOr bring',
    );
    expect(text).not.toContain('Or if you have the repository');
  });
});
