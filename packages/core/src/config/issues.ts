import { ConfigError, type ErrorCode } from '../errors.js';

/** One validation problem: where (key path segments) and what was expected. */
export interface ConfigIssue {
  path: readonly (PropertyKey | { key: PropertyKey })[];
  message: string;
}

/** `['plugins', 1, 1, 'registry']` → `plugins[1][1].registry`. */
export function formatKeyPath(path: readonly (PropertyKey | { key: PropertyKey })[]): string {
  let out = '';
  for (const raw of path) {
    const key = typeof raw === 'object' ? raw.key : raw;
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(top level)';
}

/** Builds the one error for a list of issues in one source (a file, the environment, flags). */
export function issuesError(
  code: ErrorCode,
  where: string,
  issues: readonly ConfigIssue[],
  prefix: readonly PropertyKey[] = [],
): ConfigError {
  const lines = issues.map((issue) => `  - ${formatKeyPath([...prefix, ...issue.path])}: ${issue.message}`);
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return new ConfigError(
    code,
    `Invalid stigmer config in ${where} (${issues.length} ${noun}):\n${lines.join('\n')}`,
    {
      details: {
        source: where,
        issues: issues.map((i) => ({ key: formatKeyPath([...prefix, ...i.path]), message: i.message })),
      },
    },
  );
}
