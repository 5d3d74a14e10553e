import { existingConfigFiles, type SearchStep, searchSteps } from '@stigmer/core/host';

/** Where `config print` says the config came from and where else stigmer looked. */
export interface ConfigSearchView {
  /** The folders in search order, each with its scope. */
  order: { folder: string; scope: SearchStep['scope'] }[];
  /** Config files that exist on the search path but are not the one in force. */
  unused: string[];
}

/** The search as it went for this folder and environment. */
export function configSearchView(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  configFile: string | undefined,
): ConfigSearchView {
  const order = searchSteps(cwd, env).map(({ folder, scope }) => ({ folder, scope }));
  const unused = existingConfigFiles(cwd, env).filter((file) => file !== configFile);
  return { order, unused };
}

/** The `#` lines `config print` starts with. */
export function configSearchLines(
  view: ConfigSearchView,
  configFile: string | undefined,
  scope: 'flag' | 'project' | 'user' | undefined,
): string[] {
  if (scope === 'flag') return [`# config file: ${configFile} (from --config; nothing searched)`];
  const folders = (s: SearchStep['scope']) =>
    view.order
      .filter((step) => step.scope === s)
      .map((step) => step.folder)
      .join(', ');
  const lines = [
    configFile
      ? `# config file: ${configFile} (${scope === 'user' ? 'user-level: no project config was found' : 'project'})`
      : '# config file: none (built-in defaults)',
    `# search order: ${folders('project')} (the project, up to its package.json), then ${folders('user')} (user-level, only when the project has none)`,
  ];
  if (view.unused.length > 0) {
    const why = scope === 'project' ? 'the project config wins' : 'an earlier file wins, or it is empty';
    lines.push(`# also found, not used (${why}): ${view.unused.join(', ')}`);
  }
  return lines;
}
