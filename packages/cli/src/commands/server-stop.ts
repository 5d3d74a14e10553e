import { hasRuntimePlugin, openSession, stopServer } from '@stigmer/core/host';
import { type CommandContext, connectEngine } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { explainBlock, runFacts } from '../output/explain.js';
import { sessionOptions } from '../session.js';
import { stopOnRuntimePlugin } from './server-runtime.js';
import { describeEvent, graceNotices, shortId } from './server-text.js';

/** `stigmer server stop`: graceful stop, kill if that fails, remove, forget the state. */
export async function serverStop(ctx: CommandContext, options: GlobalOptions) {
  const { output } = ctx;
  const session = await openSession(sessionOptions(options, output, ctx.signal));
  ctx.session = session;
  output.redact = (text) => session.pipeline.redact(text);
  const endpoint = await connectEngine(ctx, session);
  if (hasRuntimePlugin(session)) return stopOnRuntimePlugin(ctx, session, options, endpoint);
  const talk = !options.quiet && !options.json;
  const notices = graceNotices((line) => output.error(line));
  const outcome = await stopServer(session, {
    signal: ctx.signal,
    onEvent: (event) => {
      if (event.type === 'warning') {
        output.warn(event.message);
        return;
      }
      if (!talk) return;
      notices(event);
      const text = describeEvent(event);
      if (text) output.error(text);
    },
  });
  const trace = session.pipeline.trace;
  if (outcome.interruptedAfterStop) {
    output.warn(
      `${outcome.interruptedAfterStop} arrived after the stop was done; the plugins' afterStop hooks were cut short.`,
    );
  }
  if (options.json) {
    output.result({ ...outcome, ...runFacts(session, endpoint) });
    return;
  }
  if (outcome.containers.length === 0) {
    output.line('The agent-runner is not running (no container); nothing to stop.');
  }
  for (const c of outcome.containers) {
    const how = !c.wasRunning
      ? 'was not running; removed'
      : c.killed
        ? 'killed and removed'
        : 'stopped and removed';
    output.line(`${c.name} (${shortId(c.id)}) ${how}.`);
  }
  if (options.explain) {
    const places = { endpoint, configFile: session.configFile, plugins: session.pipeline.plugins };
    for (const line of explainBlock(places, trace, [`Data folder: ${outcome.dataDir}`])) output.line(line);
  }
}
