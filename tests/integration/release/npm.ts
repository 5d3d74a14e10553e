import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NpmRegistry } from './npm-registry.js';
import { REPO, type RunResult, run } from './run.js';

/** The folders `npm pack`ed for a release: every public workspace package and the example plugin. */
export const PACKAGE_DIRS = [
  'packages/core',
  'packages/plugin-local-image',
  'packages/plugin-ghcr',
  'packages/plugin-build-hint',
  'packages/plugin-agent-runner',
  'packages/plugin-registry',
  'packages/plugin-offline',
  'packages/plugin-image-checks',
  'packages/plugin-rebuild',
  'packages/plugin-kubernetes',
  'packages/testing',
  'packages/cli',
  'examples/stigmer-plugin-example',
];

/** Where `npm ci` cached the tarballs it installed (`npm config get cache` as the developer's npm sees it). */
export function npmCacheDir(): string {
  const result = spawnSync('npm', ['config', 'get', 'cache'], { cwd: REPO, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm config get cache failed: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * `npm pack` of the built packages into `destination`: the tarballs a
 * release would publish, by package name.
 */
export async function packAll(destination: string, dirs = PACKAGE_DIRS): Promise<Map<string, string>> {
  const result = await run(
    'npm',
    ['pack', '--json', '--pack-destination', destination, ...dirs.map((d) => `./${d}`)],
    {
      cwd: REPO,
      // run() sets HOME to the repository: npm's cache and logs would land in it.
      env: { npm_config_loglevel: 'error', npm_config_cache: path.join(destination, '.npm-cache') },
    },
  );
  if (result.exitCode !== 0) throw new Error(`npm pack failed: ${result.stderr}`);
  const packed = JSON.parse(result.stdout) as { name: string; filename: string }[];
  return new Map(packed.map((p) => [p.name, path.join(destination, p.filename)]));
}

/**
 * An npm configuration of its own for a test: this registry (with a token
 * for publishing), a fresh cache, and none of the developer's or machine's
 * npmrc files, so nothing but the loopback registry is ever asked.
 */
export async function npmConfig(registry: NpmRegistry): Promise<Record<string, string>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-it-npm-'));
  const userconfig = path.join(dir, 'npmrc');
  const host = new URL(registry.url).host;
  await writeFile(userconfig, `//${host}/:_authToken=stigmer-test-token\n`);
  await writeFile(path.join(dir, 'globalnpmrc'), '');
  await mkdir(path.join(dir, 'cache'));
  return {
    npm_config_registry: registry.url,
    npm_config_userconfig: userconfig,
    npm_config_globalconfig: path.join(dir, 'globalnpmrc'),
    npm_config_cache: path.join(dir, 'cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_loglevel: 'warn',
    // Install scripts of third-party dependencies (native builds) would fetch Node headers.
    npm_config_ignore_scripts: 'true',
  };
}

/** `npm ARGS` in `cwd` with a test's npm configuration. */
export function npm(
  args: readonly string[],
  cwd: string,
  config: Record<string, string>,
): Promise<RunResult> {
  return run('npm', args, { cwd, env: config });
}
