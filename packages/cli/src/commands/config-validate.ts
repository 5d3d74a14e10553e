import { ConfigError } from '@stigmer/core';
import { type ConfigProblem, checkConfiguration } from '@stigmer/core/host';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { sessionOptions } from '../session.js';

/**
 * `stigmer config validate`: checks the config file, the settings from the
 * environment and every plugin (found, loadable, options valid) and reports
 * every problem in one run, each with its file, key path and expectation.
 */
export async function configValidate(ctx: CommandContext, options: GlobalOptions) {
  const { output } = ctx;
  const check = await checkConfiguration(sessionOptions(options, output));
  if (check.problems.length > 0) {
    throw new ConfigError('CONFIG_INVALID', problemsText(check.problems), {
      details: { configFile: check.configFile ?? null, problems: check.problems },
    });
  }
  if (options.json) {
    output.result({ configFile: check.configFile ?? null, plugins: check.plugins });
    return;
  }
  output.line(
    check.configFile
      ? `${check.configFile} is valid; plugins: ${check.plugins.join(', ')}`
      : `No config file found; the built-in default chain applies: ${check.plugins.join(', ')}`,
  );
}

/** Every problem, grouped by where it is, in the order found. */
function problemsText(problems: readonly ConfigProblem[]): string {
  const places = [...new Set(problems.map((p) => p.where))];
  const noun = problems.length === 1 ? 'problem' : 'problems';
  const lines = [`The stigmer configuration has ${problems.length} ${noun}:`];
  for (const where of places) {
    lines.push(`In ${where}:`);
    for (const p of problems.filter((q) => q.where === where)) {
      lines.push(`  - ${p.key}: ${p.message.split('\n').join('\n    ')}`);
    }
  }
  return lines.join('\n');
}
