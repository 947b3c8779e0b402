import type { Command } from 'commander';
import { ExitCode, diagnosticToJson, renderDiagnostic } from '../core/errors.js';
import { log } from '../core/log.js';
import { action, printJson } from './common.js';

interface SymbolsOpts {
  kernel: string;
  arch: string;
  json?: boolean;
  cc?: string;
  crossCompile?: string;
  cache?: boolean;
}

/** Registers `kconfig symbols`. */
export function register(kconfig: Command): void {
  kconfig
    .command('symbols')
    .description("list every Kconfig symbol of a kernel tree for one arch: type, file:line of each definition, prompt")
    .requiredOption('--kernel <path>', 'kernel source folder, or tarball read without extracting (tar, .gz, .xz, .bz2, .zst)')
    .requiredOption('--arch <arch>', 'ARCH as for the kernel make (arm64, x86_64, x86, arm, riscv, ...)')
    .option('--cc <cc>', 'C compiler for $(cc-option,...) probes (default: probes stay unknown)')
    .option('--cross-compile <prefix>', 'toolchain prefix, e.g. aarch64-linux-gnu- (CC, LD, ... = prefix + tool)')
    .option('--no-cache', 'do not read or write the parse cache (~/.cache/tarsmith/kconfig)')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      `
Text output, one symbol per line, sorted by name:
  NAME<TAB>type<TAB>file:line[,file:line...]<TAB>"first prompt"
Kconfig syntax errors are printed on stderr as file:line and make the exit code 2 (the list is still printed).
Exit codes: 0 ok, 2 bad options or Kconfig syntax errors, 3 unreadable kernel tree.

Example:
  tarsmith kconfig symbols --kernel linux-6.12.tar.xz --arch arm64 | grep IPTABLES
  tarsmith kconfig symbols --kernel ~/src/linux --arch x86_64 --cc gcc --json`,
    )
    .action(
      action(async (opts: SymbolsOpts) => {
        const { loadKconfig } = await import('../kconfig/tree.js');
        const { listSymbols, renderSymbolsText } = await import('../kconfig/symbols.js');
        const tree = await loadKconfig({
          kernel: opts.kernel,
          arch: opts.arch,
          ...(opts.cc !== undefined ? { cc: opts.cc } : {}),
          ...(opts.crossCompile !== undefined ? { crossCompile: opts.crossCompile } : {}),
          ...(opts.cache === false ? { cacheDir: false as const } : {}),
          onProgress: (m) => log.verbose(m),
        });
        const records = listSymbols(tree);
        const problems = tree.diagnostics.filter((d) => d.severity !== 'info');
        const errors = problems.filter((d) => d.severity === 'error');
        if (opts.json) {
          printJson({
            ok: errors.length === 0, arch: tree.arch, srcarch: tree.srcarch, count: records.length, symbols: records,
            diagnostics: problems.map(diagnosticToJson),
          });
        } else {
          process.stdout.write(renderSymbolsText(records));
          for (const d of problems) log.error(renderDiagnostic(d));
        }
        return errors.length > 0 ? ExitCode.usage : ExitCode.ok;
      }),
    );
}
