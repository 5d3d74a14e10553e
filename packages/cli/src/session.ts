import type { SessionOptions } from '@stigmer/core/host';
import { BUILTIN_PLUGINS, DEFAULT_PLUGINS } from './builtins.js';
import type { GlobalOptions } from './options.js';
import type { Output } from './output/output.js';
import { BUNDLED_PLUGINS_VERSION, VERSION } from './version.js';

/** Session options for a command: the process's folder and environment, its flags, the builtins. */
export function sessionOptions(options: GlobalOptions, output: Output, signal?: AbortSignal): SessionOptions {
  const flags: NonNullable<SessionOptions['flags']> = {};
  if (options.platform) flags['image.platform'] = { value: options.platform, flag: '--platform' };
  if (options.pull) flags['image.pullPolicy'] = { value: options.pull, flag: '--pull' };
  if (options.offline) flags.offline = { value: 'true', flag: '--offline' };
  if (options.build) flags.build = { value: 'true', flag: '--build' };
  return {
    cliVersion: VERSION,
    cwd: process.cwd(),
    env: process.env,
    configPath: options.config,
    flags,
    defaultPlugins: DEFAULT_PLUGINS,
    builtins: BUILTIN_PLUGINS,
    builtinVersion: BUNDLED_PLUGINS_VERSION,
    ...(signal ? { signal } : {}),
    onWarn: (plugin, message) => output.warn(message, plugin),
  };
}
