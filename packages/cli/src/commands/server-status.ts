import {
  hasRuntimePlugin,
  openSession,
  serverStatus as readStatus,
  type ServerStatus,
} from '@stigmer/core/host';
import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { formatBytes } from '../output/units.js';
import { sessionOptions } from '../session.js';
import { statusOnRuntimePlugin } from './server-runtime.js';
import { formatUptime, shortId } from './server-text.js';

/**
 * `stigmer server status`: what the engine says about the agent-runner. Exits
 * 0 whenever it could tell, running or not; `--json` has `running`.
 */
export async function serverStatus(ctx: CommandContext, options: GlobalOptions) {
  const { output } = ctx;
  const session = await openSession(sessionOptions(options, output, ctx.signal));
  ctx.session = session;
  if (hasRuntimePlugin(session)) return statusOnRuntimePlugin(ctx, session, options);
  const status = await readStatus(session);
  const image = status.container ? await session.engine.inspectImage(status.container.imageId) : undefined;
  if (options.json) {
    output.result({
      ...status,
      // Absent facts are null, not missing, so scripts can rely on every key.
      container: status.container ?? null,
      uptimeMs: status.uptimeMs ?? null,
      foundBy: status.foundBy ?? null,
      lock: status.lock ?? null,
      otherDataDir: status.otherDataDir ?? null,
      image: status.container?.image ?? null,
      digest: status.container?.digest ?? null,
      restartCount: status.container?.restartCount ?? null,
      imageSizeBytes: image?.sizeBytes ?? null,
    });
    return;
  }
  for (const line of statusLines(status, image?.sizeBytes)) output.line(line);
}

function statusLines(status: ServerStatus, imageSize: number | undefined): string[] {
  const { container } = status;
  if (!container) {
    const lines = ['agent-runner: not running (no container)'];
    if (status.stateFile === 'stale')
      lines.push('  note: the state file named a container that is gone; the next start replaces it');
    if (status.lock)
      lines.push(
        `  a \`${status.lock.command}\` is in progress (pid ${status.lock.pid}, since ${status.lock.acquiredAt})`,
      );
    lines.push(`  data folder: ${status.dataDir}`);
    return lines;
  }
  const health = container.health === 'none' ? '' : ` (${container.health})`;
  const lines = [
    `agent-runner: ${container.state}${health}`,
    `  container:   ${container.name} (${shortId(container.id)})${status.managed ? '' : ' — not started by stigmer; stigmer leaves it alone'}`,
    `  image:       ${container.image} (${[shortId(container.imageId), imageSize === undefined ? '' : formatBytes(imageSize)].filter(Boolean).join(', ')})`,
    `  digest:      ${container.digest ?? '(none: not pulled from a registry)'}`,
  ];
  if (status.uptimeMs !== undefined) lines.push(`  uptime:      ${formatUptime(status.uptimeMs)}`);
  else if (container.state === 'exited') lines.push(`  exit code:   ${container.exitCode}`);
  lines.push(`  restarts:    ${container.restartCount}`);
  if (container.startedBy) lines.push(`  started by:  stigmer ${container.startedBy}`);
  if (status.otherDataDir) {
    lines.push(
      `  data folder: ${status.otherDataDir}`,
      `  note: this container belongs to that other data folder, not to yours (${status.dataDir});`,
      '        another stigmer setup (STIGMER_DATA_DIR, server.dataDir) started it under the same name',
    );
  } else lines.push(`  data folder: ${status.dataDir}`);
  if (status.stateFile !== 'ok')
    lines.push(`  note: found by ${status.foundBy}; the state file is ${status.stateFile}`);
  return lines;
}
