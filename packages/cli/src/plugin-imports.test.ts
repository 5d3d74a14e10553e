import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * First-party plugins run on the host's core: at run time they take only
 * `definePlugin` and the error classes (with `isStigmerError`, which tells
 * them apart whichever copy made them) from `@stigmer/core`, and their
 * option schemas from `@stigmer/core/options` (loaded lazily, from
 * `options.ts`). Everything else they use at run time comes through the hook
 * context, and anything else from core is a type.
 */
const RUNTIME_FROM_CORE = new Set([
  'definePlugin',
  'isStigmerError',
  'StigmerError',
  'ConfigError',
  'PluginError',
  'EngineError',
  'ImageError',
  'PullError',
  'ServerError',
  'StateError',
  'InterruptedError',
  'ManifestError',
]);

const packages = fileURLToPath(new URL('../..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Every import and re-export of `@stigmer/core*` in a file: the module, the names, and whether each is a type. */
function coreImports(file: string) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { module: string; name: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const module = (node.moduleSpecifier as ts.StringLiteral).text;
      if (module.startsWith('@stigmer/core')) {
        const clauseType = ts.isImportDeclaration(node)
          ? Boolean(node.importClause?.isTypeOnly)
          : node.isTypeOnly;
        const bindings = ts.isImportDeclaration(node) ? node.importClause?.namedBindings : node.exportClause;
        const elements = bindings && 'elements' in bindings ? bindings.elements : [];
        if (elements.length === 0) found.push({ module, name: '*', typeOnly: clauseType });
        for (const element of elements) {
          const name = (element.propertyName ?? element.name).text;
          found.push({ module, name, typeOnly: clauseType || element.isTypeOnly });
        }
      }
    }
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      ts.isStringLiteral(node.arguments[0] as ts.Node) &&
      (node.arguments[0] as ts.StringLiteral).text.startsWith('@stigmer/core')
    ) {
      found.push({ module: (node.arguments[0] as ts.StringLiteral).text, name: '*', typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const plugins = readdirSync(packages).filter((name) => name.startsWith('plugin-'));

describe('first-party plugins import from core', () => {
  it('finds every first-party plugin', () => {
    expect(plugins.length).toBeGreaterThanOrEqual(8);
  });

  it.each(plugins)(
    '%s: only definePlugin and the error classes at run time, everything else as types',
    (name) => {
      const wrong: string[] = [];
      for (const file of sourceFiles(path.join(packages, name, 'src'))) {
        const where = path.relative(packages, file);
        for (const { module, name: imported, typeOnly } of coreImports(file)) {
          if (typeOnly) continue;
          if (module === '@stigmer/core/options' && path.basename(file) === 'options.ts') continue;
          if (module === '@stigmer/core' && RUNTIME_FROM_CORE.has(imported)) continue;
          wrong.push(`${where}: ${imported} from ${module}`);
        }
      }
      expect(wrong).toEqual([]);
    },
  );
});
