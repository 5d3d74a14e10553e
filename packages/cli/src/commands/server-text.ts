import { hostname } from 'node:os';
import { formatDuration, type LifecycleEvent } from '@stigmer/core/host';

const LIVE = new Set(['running', 'restarting', 'paused']);
/** How often a graceful stop says it is still waiting. */
const GRACE_NOTICE_MS = 5000;

/**
 * Lines while a graceful stop waits: how long it has waited of the grace
 * period, every few seconds, and whether the engine had to kill. Feed it
 * every lifecycle event; `write` gets each line.
 */
export function graceNotices(write: (line: string) => void): (event: LifecycleEvent) => void {
  let timer: ReturnType<typeof setInterval> | undefined;
  let started = 0;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  return (event) => {
    if (event.type === 'stopping' && LIVE.has(event.container.state)) {
      stop();
      started = Date.now();
      const { name } = event.container;
      timer = setInterval(() => {
        const waited = formatDuration(Math.round((Date.now() - started) / 1000) * 1000);
        write(`  still waiting for ${name} to exit (${waited} of ${formatDuration(event.timeoutMs)})...`);
      }, GRACE_NOTICE_MS);
      timer.unref();
    } else if (event.type === 'stopped') {
      stop();
    }
  };
}

/** `sha256:0123...` or a container id, as 12 characters. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** `3d 4h`, `5m 3s`, `42s`. */
export function formatUptime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const s = Math.floor(ms / 1000);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** One line for a lifecycle event, or `undefined` for events not worth a line. */
export function describeEvent(event: LifecycleEvent): string | undefined {
  switch (event.type) {
    case 'waiting-for-lock': {
      const h = event.holder;
      if (!h) return 'Waiting for another stigmer to finish...';
      // A holder on another machine (a shared home folder) cannot be checked for life.
      const remote = h.host === hostname() ? '' : ` on ${h.host}`;
      const hint = remote ? ` If that process is gone, delete ${event.lockFile}.` : '';
      return `Waiting for another stigmer (pid ${h.pid}${remote}, \`${h.command}\` since ${h.acquiredAt}) to finish...${hint}`;
    }
    case 'removing':
      return `Removing ${event.container.name} (${shortId(event.container.id)}): ${event.reason}.`;
    case 'waiting-for-health':
      return `Waiting for ${event.name} to pass its health check...`;
    case 'stopping':
      return LIVE.has(event.container.state)
        ? `Stopping ${event.container.name} (${shortId(event.container.id)}): waiting up to ${formatDuration(event.timeoutMs)} for it to exit after its stop signal, then the engine kills it...`
        : `Removing ${event.container.name} (${shortId(event.container.id)}): it is ${event.container.state}.`;
    default:
      return undefined;
  }
}
