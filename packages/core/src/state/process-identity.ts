import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a lock: enough to tell, later, whether that process still runs. */
export interface ProcessIdentity {
  pid: number;
  /**
   * The process's start time as the kernel counts it (`/proc/<pid>/stat`
   * field 22, Linux only). A pid reused by a new process has another start
   * time, so a lock is not kept alive by an unrelated process.
   */
  startTime: string | undefined;
  host: string;
}

/** Fields 3.. of `/proc/<pid>/stat`, or `undefined` where `/proc` does not tell. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The start time of `pid`, or `undefined` where `/proc` does not tell. */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** This process. */
export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, startTime: processStartTime(process.pid), host: hostname() };
}

/**
 * False only when `holder` certainly no longer runs: same host, and its pid is
 * gone or now belongs to a process that started at another time. A holder on
 * another host (a shared home folder) cannot be checked and counts as alive.
 */
export function isAlive(holder: ProcessIdentity): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const stat = procStat(holder.pid);
  // A killed process whose parent has not reaped it yet is a zombie: it holds nothing.
  if (stat?.[0] === 'Z' || stat?.[0] === 'X') return false;
  if (holder.startTime === undefined || stat === undefined) return true;
  return stat[19] === holder.startTime;
}
