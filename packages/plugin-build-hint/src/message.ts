import type { RunInfo, UnresolvedReport } from '@stigmer/core';
import type { BuildHintOptions } from './options.js';

/** The name the Makefile's `build-agent-runner-image` builds unless told otherwise. */
const MAKE_DEFAULT_TAG = 'stigmer-agent-runner:local';
const DEFAULT_FROM_REPOSITORY = [
  'cd backend/services/agent-runner',
  'docker build -f Dockerfile -t {localTag} ../../..',
];
const REBUILD_PLUGIN = 'stigmer:rebuild';
const OFFLINE_PLUGIN = 'stigmer:offline';
const SELF = 'stigmer:build-hint';

/** The pull the message reports: the registry reference tried and what went wrong. */
interface AttemptedPull {
  reference: string;
  error: string;
}

/**
 * What to tell the user when no plugin provided the image. After a pull
 * (failed, or passed on because the registry lacks the tag): the original
 * CLI's message, word for word, with the reference that was tried and its real
 * error. When no registry was asked (offline mode, pull policy `never`): that
 * the image is not in the engine, why nothing was pulled, and both ways out:
 * build it, or bring it from a connected machine. Either way, followed by
 * what each plugin tried.
 */
export function buildHintMessage(
  report: UnresolvedReport,
  options: BuildHintOptions,
  run: Pick<RunInfo, 'plugins'>,
): string {
  const pull = attemptedPull(report);
  // In offline mode the offline plugin's own hint says what is missing, what each
  // plugin tried and how to export and import it: only the build is left to add
  // (and, when that hint comes after this one, the opening sentence).
  const offlineHinted = report.request.offline && run.plugins.includes(OFFLINE_PLUGIN);
  const offlineFirst = offlineHinted && run.plugins.indexOf(OFFLINE_PLUGIN) < run.plugins.indexOf(SELF);
  const lines = pull ? pullFailedLines(pull) : offlineFirst ? [] : notPulledLines(report);
  lines.push(...buildLines(report, options, run), '');
  if (pull) lines.push('After building, restart Stigmer server.', '', BRING);
  else if (offlineHinted) lines.push('After building or importing, restart Stigmer server.');
  else lines.push(BRING, '', 'After building or importing, restart Stigmer server.');
  if (report.attempts.length > 0 && !offlineHinted)
    lines.push('', 'What each plugin tried:', ...report.tried);
  return lines.join('\n');
}

const BRING =
  'Or bring the image from a machine that has it: run `stigmer image export DIR` there, copy DIR here, then run `stigmer image import DIR`.';

/** The pull that ended the chain, else the last one a plugin tried and passed on. */
function attemptedPull(report: UnresolvedReport): AttemptedPull | undefined {
  const { failure } = report;
  if (failure) {
    return {
      reference: failure.reference ?? `(not named by ${failure.plugin ?? 'the plugin'})`,
      error: failure.error ?? (failure.message.split('\n')[0] as string),
    };
  }
  const last = [...report.attempts].reverse().find((a) => a.reference !== undefined && a.error !== undefined);
  return last ? { reference: last.reference as string, error: last.error as string } : undefined;
}

function pullFailedLines(pull: AttemptedPull): string[] {
  return [
    'Docker image not found locally and pull from registry failed.',
    '',
    `Registry pull attempted: ${pull.reference}`,
    `Error: ${pull.error}`,
    '',
  ];
}

/** No registry was asked: say so, and why. */
function notPulledLines(report: UnresolvedReport): string[] {
  const { request } = report;
  const why = request.offline
    ? 'offline mode is on (--offline, "offline: true" in the config, or STIGMER_OFFLINE)'
    : request.pullPolicy === 'never'
      ? 'the pull policy is "never" (--pull never, image.pullPolicy in the config, or STIGMER_PULL_POLICY)'
      : 'no plugin in the chain pulled from a registry';
  const lines = [
    `Docker image ${request.localTag} is not in the local engine, and no registry was asked: ${why}.`,
  ];
  if (!request.offline && request.pullPolicy === 'never')
    lines.push('To let stigmer pull it, run the command again with --pull missing.');
  lines.push('');
  return lines;
}

/** "To fix this, build the image locally" and "Or if you have the repository", for this config. */
function buildLines(report: UnresolvedReport, options: BuildHintOptions, run: Pick<RunInfo, 'plugins'>) {
  const { localTag } = report.request;
  const fill = (lines: readonly string[]) =>
    lines.map((line) => `  ${line.replaceAll('{localTag}', localTag)}`);
  const build = [...(options.build ?? [defaultMake(localTag)])];
  const rebuild = rebuildCommand(report, run);
  if (rebuild && build.length > 0 && !build.includes(rebuild)) build.unshift(rebuild);
  const fromRepository = options.fromRepository ?? DEFAULT_FROM_REPOSITORY;
  const lines: string[] = [];
  if (build.length > 0) lines.push('To fix this, build the image locally:', ...fill(build), '');
  if (fromRepository.length > 0) lines.push('Or if you have the repository:', ...fill(fromRepository), '');
  // Each section ends with a blank line; the caller adds the next part after one.
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The Makefile target builds `stigmer-agent-runner:local`; another local name is passed to it. */
function defaultMake(localTag: string): string {
  return localTag === MAKE_DEFAULT_TAG
    ? 'make build-agent-runner-image'
    : `make build-agent-runner-image AGENT_RUNNER_IMAGE=${localTag}`;
}

/**
 * With the rebuild plugin configured, `--build` builds from the sources it
 * knows. When a failed pull ended the chain before the rebuild plugin was
 * reached, the registry must be left out too, or the same pull fails first again.
 */
function rebuildCommand(report: UnresolvedReport, run: Pick<RunInfo, 'plugins'>): string | undefined {
  if (!run.plugins.includes(REBUILD_PLUGIN)) return undefined;
  const reached = report.attempts.some((a) => a.plugin === REBUILD_PLUGIN);
  return reached ? 'stigmer server start --build' : 'stigmer server start --build --pull never';
}
