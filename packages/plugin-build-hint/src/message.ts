import { describeAttempt, type UnresolvedReport } from '@stigmer/core';
import type { BuildHintOptions } from './options.js';

const DEFAULT_BUILD = ['make build-agent-runner-image'];
const DEFAULT_FROM_REPOSITORY = [
  'cd backend/services/agent-runner',
  'docker build -f Dockerfile -t {localTag} ../../..',
];

/**
 * The original CLI's message, word for word, filled with the last registry
 * pull that was attempted and its real error, followed by what each plugin tried.
 */
export function buildHintMessage(report: UnresolvedReport, options: BuildHintOptions): string {
  const pull = [...report.attempts].reverse().find((a) => a.reference !== undefined && a.error !== undefined);
  const indent = (lines: string[]) =>
    lines.map((line) => `  ${line.replaceAll('{localTag}', report.request.localTag)}`);
  const build = options.build ?? DEFAULT_BUILD;
  const fromRepository = options.fromRepository ?? DEFAULT_FROM_REPOSITORY;
  const lines = [
    'Docker image not found locally and pull from registry failed.',
    '',
    `Registry pull attempted: ${pull?.reference ?? 'none (no registry plugin attempted a pull)'}`,
    `Error: ${pull?.error ?? 'no pull was attempted'}`,
    '',
  ];
  if (build.length > 0) lines.push('To fix this, build the image locally:', ...indent(build), '');
  if (fromRepository.length > 0) lines.push('Or if you have the repository:', ...indent(fromRepository), '');
  lines.push('After building, restart Stigmer server.');
  if (report.attempts.length > 0)
    lines.push('', 'What each plugin tried:', ...report.attempts.map(describeAttempt));
  return lines.join('\n');
}
