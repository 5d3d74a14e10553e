// The licences of the third-party packages a bundle carries. The npm package
// of the CLI ships its libraries inside its bundle rather than as
// dependencies, so their licence texts travel with it, in one file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const LICENSE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$/i;

/**
 * The text of THIRD-PARTY-LICENSES.txt for esbuild metafiles: one section
 * per bundled package from node_modules (name, version, licence and the
 * texts of its licence files), sorted by name. Workspace packages are ours.
 */
export function thirdPartyLicenses(metafiles, absWorkingDir) {
  const dirs = new Set();
  for (const metafile of metafiles) {
    for (const input of Object.keys(metafile.inputs)) {
      const dir = packageDir(path.resolve(absWorkingDir, input.replace(/^[a-z-]+:/, '')));
      if (dir) dirs.add(dir);
    }
  }
  const sections = [...dirs]
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) }))
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name) || a.dir.localeCompare(b.dir))
    .map(({ dir, manifest }) => {
      const texts = readdirSync(dir)
        .filter((file) => LICENSE_FILE.test(file))
        .sort()
        .map((file) => readFileSync(path.join(dir, file), 'utf8').trim());
      const licence = typeof manifest.license === 'string' ? manifest.license : 'see below';
      return [
        `${manifest.name} ${manifest.version} (${licence})`,
        ...(texts.length ? texts : [`No licence file; package.json says: ${licence}`]),
      ].join('\n\n');
    });
  return ['The stigmer CLI bundles the following packages. Their licences follow.', ...sections, ''].join(
    `\n\n${'-'.repeat(78)}\n\n`,
  );
}

/** The node_modules package folder holding `file`, or undefined for our own sources. */
function packageDir(file) {
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const length = parts[at + 1]?.startsWith('@') ? 3 : 2;
  const dir = parts.slice(0, at + length).join(path.sep);
  return existsSync(path.join(dir, 'package.json')) ? dir : undefined;
}
