// The workspace's packages as the release scripts see them: their manifests,
// which of them depend on which, and the order to publish them in.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The fields through which one package needs another once installed. */
export const RUNTIME_DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];
/** The same, and what a package is built from (the CLI bundles the plugins it lists as dev dependencies). */
export const DEPENDENCY_FIELDS = [...RUNTIME_DEPENDENCY_FIELDS, 'devDependencies'];

/**
 * Every package under `packages/` (the root's workspaces): `{ dir, file,
 * manifest }` with `dir` absolute, sorted by folder name. `root` lets tests
 * point it at a copy of the repository.
 */
export function workspacePackages(root = ROOT) {
  const packagesDir = path.join(root, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(packagesDir, entry.name))
    .sort()
    .flatMap((dir) => {
      const file = path.join(dir, 'package.json');
      try {
        return [{ dir, file, manifest: JSON.parse(readFileSync(file, 'utf8')) }];
      } catch (error) {
        if (error.code === 'ENOENT') return []; // a folder that is not a package
        throw new Error(`${path.relative(root, file)}: ${error.message}`);
      }
    });
}

/** The workspace packages that `pkg` names in `fields`. */
export function internalDependencies(pkg, packages, fields = DEPENDENCY_FIELDS) {
  const names = new Set(packages.map((p) => p.manifest.name));
  return [
    ...new Set(
      fields.flatMap((field) => Object.keys(pkg.manifest[field] ?? {})).filter((name) => names.has(name)),
    ),
  ].sort();
}

/**
 * The public packages in an order where each comes after every package it
 * needs once installed, so a release that stops part-way never leaves a
 * package on npm without what it depends on; and after what it is built
 * from, so the CLI, which bundles the plugins, comes last. Ties keep folder
 * order, so the order is the same on every machine. A cycle is an error
 * naming its members.
 */
export function publishOrder(packages) {
  const byName = new Map(packages.map((p) => [p.manifest.name, p]));
  const order = [];
  const state = new Map(); // name -> 'visiting' | 'done'
  const visit = (pkg, trail) => {
    const { name } = pkg.manifest;
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      throw new Error(`dependency cycle: ${[...trail.slice(trail.indexOf(name)), name].join(' -> ')}`);
    }
    state.set(name, 'visiting');
    for (const dependency of internalDependencies(pkg, packages)) {
      visit(byName.get(dependency), [...trail, name]);
    }
    state.set(name, 'done');
    order.push(pkg);
  };
  for (const pkg of packages) visit(pkg, []);
  return order.filter((pkg) => !pkg.manifest.private);
}
