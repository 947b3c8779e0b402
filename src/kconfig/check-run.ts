/** `kconfig check` end to end: read the fragment and the `.config` (and the kernel tree when given), then check. */
import { ExitCode } from '../core/errors.js';
import { checkFragment, type CheckReport, type TreeKnowledge } from './check.js';

export interface CheckInput {
  fragment: string;
  config: string;
  /** Kernel tree folder or tarball; with it, mismatches are explained and no-op lines are known for sure. */
  kernel?: string;
  arch?: string;
  /** Toolchain for compiler probes (see `loadKconfig`); without one, probed symbols take the .config's values. */
  cc?: string;
  crossCompile?: string;
  /** false: neither read nor write the parse cache. */
  cache?: boolean;
}

/** Read both files, and the kernel tree when given, and check. */
export async function runCheck(input: CheckInput): Promise<CheckReport> {
  const { readConfigFile } = await import('./fragment.js');
  const { readDotConfig } = await import('./dotconfig.js');
  const fragment = await readConfigFile(input.fragment);
  const config = await readDotConfig(input.config);
  let tree: TreeKnowledge | undefined;
  if (input.kernel !== undefined) {
    const { loadTreeKnowledge } = await import('./tree-knowledge.js');
    const { fragment: _f, config: _c, kernel, ...rest } = input;
    tree = await loadTreeKnowledge({ kernel, ...rest }, config);
  }
  const report = checkFragment(fragment, config, tree);
  if (tree?.proveFixes && report.mismatches.some((m) => m.explanation?.set)) report.fixes = await tree.proveFixes(report, fragment);
  const headerArch = config.header?.arch;
  const { srcarchOf } = await import('./tree.js');
  if (input.arch !== undefined && headerArch !== undefined && srcarchOf(headerArch) !== srcarchOf(input.arch)) {
    report.warnings.unshift({
      code: 'kconfig.arch-differs',
      severity: 'warning',
      exit: ExitCode.ok,
      message: `the .config was written for ${headerArch}, the tree was read for --arch ${input.arch}`,
      where: { file: config.parsed.file },
      hint: `pass --arch ${headerArch}`,
    });
  }
  return report;
}
