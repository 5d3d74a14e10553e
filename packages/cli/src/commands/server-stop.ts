import { openSession, stopServer } from '@stigmer/core';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { sessionOptions } from '../session.js';
import { describeEvent, shortId } from './server-text.js';

/** `stigmer server stop`: graceful stop, kill if that fails, remove, forget the state. */
export async function serverStop(ctx: CommandContext, options: GlobalOptions) {
  const { output } = ctx;
  const session = await openSession(sessionOptions(options, output, ctx.signal));
  ctx.session = session;
  output.redact = (text) => session.pipeline.redact(text);
  const outcome = await stopServer(session, {
    env: process.env,
    cwd: process.cwd(),
    signal: ctx.signal,
    onEvent: (event) => {
      if (options.quiet || options.json || event.type === 'stopping') return;
      const text = describeEvent(event);
      if (text) output.error(text);
    },
  });
  if (options.json) {
    output.json({ ok: true, ...outcome });
    return;
  }
  if (outcome.containers.length === 0) {
    output.line('The agent-runner is not running (no container); nothing to stop.');
    return;
  }
  for (const c of outcome.containers) {
    const how = !c.wasRunning
      ? 'was not running; removed'
      : c.killed
        ? 'killed and removed'
        : 'stopped and removed';
    output.line(`${c.name} (${shortId(c.id)}) ${how}.`);
  }
}
