import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { npmConfig } from './npm.js';
import { type NpmRegistry, startNpmRegistry } from './npm-registry.js';
import { REPO, run } from './run.js';

// scripts/publish.mjs, what the release workflow runs, against an npm
// registry on loopback that records the order of publishes.
const registries: NpmRegistry[] = [];
afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.stop()));
});

async function registry() {
  const empty = await mkdtemp(path.join(tmpdir(), 'stigmer-it-npm-empty-'));
  const lockfile = path.join(empty, 'package-lock.json');
  await import('node:fs/promises').then((fs) => fs.writeFile(lockfile, '{"packages":{}}'));
  const started = await startNpmRegistry({ lockfile, cacheDir: empty });
  registries.push(started);
  await rm(empty, { recursive: true, force: true });
  return started;
}

const publish = async (target: NpmRegistry, args: string[] = []) =>
  run(process.execPath, ['scripts/publish.mjs', ...args], { cwd: REPO, env: await npmConfig(target) });

/** Every public workspace package's manifest: what a release publishes. */
async function manifests() {
  const dirs = (await import('node:fs/promises')).readdir(path.join(REPO, 'packages'));
  const all = await Promise.all(
    (await dirs).map(async (dir) =>
      JSON.parse(await readFile(path.join(REPO, 'packages', dir, 'package.json'), 'utf8')),
    ),
  );
  return all.filter((m) => !m.private) as Manifest[];
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

describe('publishing a release (scripts/publish.mjs)', () => {
  /** Each package's @stigmer/* dependencies: what it needs installed, and what it is built from. */
  const needs = (m: Manifest) =>
    Object.keys({ ...m.dependencies, ...m.peerDependencies, ...m.devDependencies }).filter((n) =>
      n.startsWith('@stigmer/'),
    );
  /** Asserts that every package in `published` came after every @stigmer/* package it needs. */
  const expectDependencyOrder = (published: readonly string[], packages: Manifest[]) => {
    const position = (name: string) => published.findIndex((p) => p.startsWith(`${name}@`));
    for (const manifest of packages.filter((m) => position(m.name) >= 0)) {
      for (const dependency of needs(manifest)) {
        expect(position(dependency), `${dependency} before ${manifest.name}`).toBeGreaterThanOrEqual(0);
        expect(position(dependency), `${dependency} before ${manifest.name}`).toBeLessThan(
          position(manifest.name),
        );
      }
    }
  };

  it('publishes in dependency order, stops at the first failure with nothing out that lacks a dependency, and resumes', {
    timeout: 300_000,
  }, async () => {
    const packages = await manifests();
    // The plugins need core and the CLI bundles the plugins: the order is constrained.
    expect(packages.flatMap(needs).length).toBeGreaterThan(packages.length);
    const target = await registry();
    target.refuse.add('@stigmer/plugin-offline');
    const failed = await publish(target, ['--tag', 'next']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain('publish: @stigmer/plugin-offline@');
    expect(failed.stderr).toContain('Fix the cause and run this again');
    expect(target.published[0]).toMatch(/^@stigmer\/core@/);
    expect(target.published).not.toContainEqual(expect.stringMatching(/^@stigmer\/(plugin-offline|cli)@/));
    expectDependencyOrder(target.published, packages);

    target.refuse.clear();
    const before = target.published.length;
    const resumed = await publish(target, ['--tag', 'next']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(
      `publish: ${packages.length - before} published, ${before} already on the registry`,
    );
    expect([...target.published].sort()).toEqual(packages.map((m) => `${m.name}@${m.version}`).sort());
    expectDependencyOrder(target.published, packages);

    const plan = await publish(target, ['--dry-run']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout.match(/\(already published, skipped\)/g)).toHaveLength(packages.length);
  });

  it('refuses to start when package.json names another repository than the one the workflow runs in', async () => {
    const target = await registry();
    const result = await run(process.execPath, ['scripts/publish.mjs'], {
      cwd: REPO,
      env: { ...(await npmConfig(target)), GITHUB_REPOSITORY: 'someone/else' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('repository.url does not name someone/else');
    expect(target.published).toEqual([]);
  });
});
