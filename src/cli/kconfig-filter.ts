import type { Command } from 'commander';
import { ExitCode, renderDiagnostic } from '../core/errors.js';
import { log } from '../core/log.js';
import { action, printJson } from './common.js';
import { addKernelOptions, treeSelection, type KernelOpts } from './kernel-options.js';

interface FilterOpts extends KernelOpts {
  kernel: string;
  arch: string;
  output?: string;
  check?: boolean;
  json?: boolean;
}

/** Registers `kconfig filter`. */
export function register(kconfig: Command): void {
  const cmd = kconfig
    .command('filter')
    .description('remove from a config fragment the symbols a kernel tree does not define for one arch')
    .argument('<fragment>', 'config fragment (CONFIG_X=value and "# CONFIG_X is not set" lines)');
  addKernelOptions(cmd, { kernelRequired: true, archRequired: true, withoutCompiler: 'probes stay unknown (the names are the same)' })
    .option('-o, --output <path>', 'write the filtered fragment here (atomically) instead of stdout')
    .option('--check', 'write nothing; exit 1 if any line would be removed')
    .option('--json', 'print one JSON document on stdout (removals, and the text unless -o or --check)')
    .addHelpText(
      'after',
      `
Comments, blank lines and line order are kept. Each removal is reported on stderr as
  FRAGMENT:LINE: removed CONFIG_X: no such symbol in this kernel for ARCH; nearest: A, B, C
Exit codes: 0 ok (or nothing to remove with --check), 1 --check found lines to remove,
2 bad options or Kconfig syntax errors in the tree, 3 unreadable files. Fragment lines that are not
valid assignments are kept as written and reported on stderr.

Example:
  tarsmith kconfig filter --kernel linux-6.12.tar.xz --arch arm64 extra.config -o extra.filtered.config
  tarsmith kconfig filter --kernel ~/src/linux --arch arm64 --check extra.config`,
    )
    .action(
      action(async (fragment: string, opts: FilterOpts) => {
        const { runFilter, renderRemoval } = await import('../kconfig/filter.js');
        const r = await runFilter({
          fragment, kernel: opts.kernel, ...treeSelection(opts), arch: opts.arch, onProgress: (m) => log.verbose(m),
          ...(opts.output !== undefined ? { output: opts.output } : {}), ...(opts.check ? { check: true } : {}),
        });
        for (const d of r.diagnostics) log.error(renderDiagnostic(d));
        for (const rm of r.removed) log.info(renderRemoval(fragment, r.arch, rm));
        if (opts.json) {
          printJson({
            ok: !(opts.check && r.removed.length > 0), file: fragment, arch: r.arch, kept: r.kept, removed: r.removed,
            ...(opts.check || r.written ? {} : { text: r.text }), ...(r.written ? { output: opts.output } : {}),
          });
        } else if (!opts.check && !r.written) process.stdout.write(r.text);
        return opts.check && r.removed.length > 0 ? ExitCode.checkFailed : ExitCode.ok;
      }),
    );
}
