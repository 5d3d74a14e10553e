import { userInfo } from 'node:os';
import path from 'node:path';

/**
 * The user's home folder: `HOME` when it is an absolute path, else the
 * account's home (the password database; `USERPROFILE` on Windows), else
 * `undefined`. An empty or relative `HOME` is never used: `HOME=''` would
 * put `~/.stigmer` (lock, state, workspace) under whatever folder a command
 * happens to run in.
 */
export function homeFolder(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.HOME && path.isAbsolute(env.HOME)) return env.HOME;
  try {
    const { homedir } = userInfo();
    if (homedir && path.isAbsolute(homedir)) return homedir;
  } catch {
    // No account entry (an arbitrary uid in a container): no home at all.
  }
  return undefined;
}

/**
 * Where to look for per-user files (docker config, Docker Desktop's socket)
 * when there is no home: the conventional home of accounts without one, so
 * nothing is looked up relative to the current folder.
 */
export const NO_HOME = '/nonexistent';
