import { openSession, type Session, type SessionOptions } from '@stigmer/core/host';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { type ProgressRenderer, pullProgress } from '../output/progress.js';
import { sessionOptions } from '../session.js';

/**
 * A session for a command that runs the chain and may pull: pull progress
 * drawn on stderr, warnings printed on a clean line (the bar cleared first),
 * secrets redacted from all output from here on.
 */
export async function openChainSession(
  ctx: CommandContext,
  options: GlobalOptions,
  extra: Pick<SessionOptions, 'commandPlugins'> = {},
): Promise<{ session: Session; progress: ProgressRenderer }> {
  const { output } = ctx;
  const progress = pullProgress(options, output);
  const session = await openSession({
    ...sessionOptions(options, output, ctx.signal),
    ...extra,
    ...ctx.sessionOverrides,
    onProgress: (event) => progress.onEvent(event),
    onWarn: (plugin, message) => {
      progress.beforeWarning();
      output.warn(message, plugin);
    },
  });
  ctx.session = session;
  output.redact = (text) => session.pipeline.redact(text);
  return { session, progress };
}
