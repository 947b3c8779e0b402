import type { Command } from 'commander';
import { ExitCode, fail, ioFailure, renderDiagnostic } from '../core/errors.js';
import { log } from '../core/log.js';
import { action, printJson } from './common.js';

interface FilterOpts {
  kernel: string;
  arch: string;
  output?: string;
  check?: boolean;
  json?: boolean;
  cc?: string;
  crossCompile?: string;
  cache?: boolean;
}

/** Registers `kconfig filter`. */
export function register(kconfig: Command): void {
  kconfig
    .command('filter')
    .description('remove from a config fragment the symbols a kernel tree does not define for one arch')
    .argument('<fragment>', 'config fragment (CONFIG_X=value and "# CONFIG_X is not set" lines)')
    .requiredOption('--kernel <path>', 'kernel source folder, or tarball read without extracting')
    .requiredOption('--arch <arch>', 'ARCH as for the kernel make (arm64, x86_64, x86, arm, riscv, ...)')
    .option('-o, --output <path>', 'write the filtered fragment here (atomically) instead of stdout')
    .option('--check', 'write nothing; exit 1 if any line would be removed')
    .option('--cc <cc>', 'C compiler for $(cc-option,...) probes')
    .option('--cross-compile <prefix>', 'toolchain prefix, e.g. aarch64-linux-gnu-')
    .option('--no-cache', 'do not read or write the parse cache')
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
        const { readFile } = await import('node:fs/promises');
        const { loadSymbolNames } = await import('../kconfig/tree.js');
        const { filterFragment, renderRemoval, treeErrors } = await import('../kconfig/filter.js');
        let text: string;
        try {
          text = await readFile(fragment, 'utf8');
        } catch (e) {
          return fail(ioFailure(e, 'cannot read fragment', fragment));
        }
        const known = await loadSymbolNames({
          kernel: opts.kernel,
          arch: opts.arch,
          ...(opts.cc !== undefined ? { cc: opts.cc } : {}),
          ...(opts.crossCompile !== undefined ? { crossCompile: opts.crossCompile } : {}),
          ...(opts.cache === false ? { cacheDir: false as const } : {}),
          onProgress: (m) => log.verbose(m),
        });
        const errors = treeErrors(known.errors);
        if (errors.length > 0) fail(errors);
        const r = filterFragment(text, fragment, known);
        for (const d of r.diagnostics) log.error(renderDiagnostic(d));
        for (const rm of r.removed) log.info(renderRemoval(fragment, known.arch, rm));
        const write = !opts.check && opts.output !== undefined;
        if (write) {
          const { writeFileAtomic } = await import('../core/fs-atomic.js');
          await writeFileAtomic(opts.output as string, r.text);
        }
        if (opts.json) {
          printJson({
            ok: !(opts.check && r.removed.length > 0), file: fragment, arch: known.arch, kept: r.kept, removed: r.removed,
            ...(opts.check || write ? {} : { text: r.text }), ...(write ? { output: opts.output } : {}),
          });
        } else if (!opts.check && !write) process.stdout.write(r.text);
        return opts.check && r.removed.length > 0 ? ExitCode.checkFailed : ExitCode.ok;
      }),
    );
}
