/** What `check --kernel` knows of the tree: existence, explanations, and fixes proven by resolving again. */
import type { ConfigFact, DotConfig } from './dotconfig.js';
import type { ConfigLine } from './fragment.js';
import type { TreeKnowledge } from './check.js';
import { evaluate, explainWith, hasToolchain, loadTree, resolveArch, treeOptions, type TreeSource } from './explain.js';

/** What `check --kernel` needs: existence and explanations, evaluated against the resolved `.config`. */
export async function loadTreeKnowledge(src: TreeSource, config: DotConfig): Promise<TreeKnowledge> {
  const opts = treeOptions(src);
  const tree = await loadTree(src.kernel, resolveArch(src.arch, config), opts);
  const calc = evaluate(tree, config.parsed, hasToolchain(opts));
  return {
    defines: (name) => calc.model.symbols.has(name),
    explain: (req: ConfigLine, _actual: ConfigFact) => explainWith(calc, req.name, req),
    proveFixes: async (report, fragment) => {
      const { proveFixesFrom } = await import('./predict.js');
      return proveFixesFrom(calc.model, hasToolchain(opts), config, fragment, report);
    },
  };
}

