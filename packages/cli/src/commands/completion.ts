import type { CommandContext } from '../boundary.js';
import type { GlobalOptions } from '../options.js';
import { VERSION } from '../version.js';

/**
 * `stigmer completion bash|zsh|fish`: a completion script made from the
 * command tree at the moment it runs, so it always matches this CLI. Only
 * this command loads the generators.
 */
export async function completion(ctx: CommandContext, options: GlobalOptions, shell: string) {
  const [{ buildProgram }, { completionTree }] = await Promise.all([
    import('../program.js'),
    import('../completion/tree.js'),
  ]);
  const tree = completionTree(buildProgram());
  const script =
    shell === 'bash'
      ? (await import('../completion/bash.js')).bashScript(tree, VERSION)
      : shell === 'zsh'
        ? (await import('../completion/zsh.js')).zshScript(tree, VERSION)
        : (await import('../completion/fish.js')).fishScript(tree, VERSION);
  if (options.json) {
    ctx.output.result({ shell, script });
    return;
  }
  process.stdout.write(script);
}
