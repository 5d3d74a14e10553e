import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { importUserModule } from '../user-module.js';

/**
 * The loaders stigmer gives cosmiconfig. They differ from its defaults in
 * three ways: every error names the file it came from; a JavaScript config is
 * imported once, as a module, with no CommonJS retry (which replaced the
 * module's own error with "__filename is not defined" in the bundle); and
 * files larger than a config file can reasonably be are refused before they
 * are parsed.
 */

/** No stigmer config comes near this; parsing much larger YAML takes seconds and gigabytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

type Loader = (filepath: string, content: string) => unknown;

function tooLarge(filepath: string, content: string): ConfigError | undefined {
  const bytes = Buffer.byteLength(content);
  if (bytes <= MAX_CONFIG_BYTES) return undefined;
  return new ConfigError(
    'CONFIG_INVALID',
    `The stigmer config ${filepath} is ${(bytes / 1024 / 1024).toFixed(1)} MB; a config file may be at most ${MAX_CONFIG_BYTES / 1024 / 1024} MB. Is this the file you meant?`,
    { details: { path: filepath, bytes, maxBytes: MAX_CONFIG_BYTES } },
  );
}

/** The error of a config file that could not be read, naming the file. */
export function unreadable(filepath: string, error: unknown): ConfigError {
  if (error instanceof ConfigError) return error;
  const message = (error instanceof Error ? error.message : String(error))
    // cosmiconfig's parsers put the path first; it is said once, here.
    .replace(/^(JSON|YAML) Error in [^\n]*:\n/, '')
    .trim();
  return new ConfigError('CONFIG_INVALID', `Could not read the stigmer config ${filepath}: ${message}`, {
    cause: error,
    details: { path: filepath },
  });
}

async function loadJs(filepath: string): Promise<unknown> {
  const module = await importUserModule(
    pathToFileURL(filepath).href,
    () =>
      new ConfigError(
        'CONFIG_INVALID',
        `The stigmer config ${filepath} never finished loading: its top-level await waits for something that can never happen (a promise nothing settles). Fix the file, or pass --config with another one.`,
        { details: { path: filepath } },
      ),
  );
  return module.default;
}

/** cosmiconfig's own loader for an extension, wrapped: size check first, the file named in any error. */
function guarded(load: Loader, checkSize: boolean): Loader {
  return async (filepath, content) => {
    const large = checkSize ? tooLarge(filepath, content) : undefined;
    if (large) throw large;
    try {
      return await load(filepath, content);
    } catch (error) {
      throw unreadable(filepath, error);
    }
  };
}

/** The loaders for `cosmiconfig(..., { loaders })`, built from its defaults. */
export function configLoaders(defaults: Record<string, Loader>): Record<string, Loader> {
  const base = (ext: string) => defaults[ext] as Loader;
  return {
    // package.json is the project's, and JSON parses fast: no size limit for it.
    '.json': (filepath, content) =>
      guarded(base('.json'), !filepath.endsWith('package.json'))(filepath, content),
    '.yaml': guarded(base('.yaml'), true),
    '.yml': guarded(base('.yml'), true),
    noExt: guarded(base('noExt'), true),
    '.js': guarded(loadJs, true),
    '.cjs': guarded(loadJs, true),
    '.mjs': guarded(loadJs, true),
    '.ts': guarded(base('.ts'), true),
  };
}
