import type { Command } from 'commander';
import { ExitCode, diagnosticToJson, renderDiagnostic } from '../core/errors.js';
import { log } from '../core/log.js';
import { action, printJson } from './common.js';
import { addKernelOptions, treeSelection, type KernelOpts } from './kernel-options.js';

interface SymbolsOpts extends KernelOpts {
  kernel: string;
  arch: string;
  json?: boolean;
}

/** Registers `kconfig symbols`. */
export function register(kconfig: Command): void {
  const cmd = kconfig
    .command('symbols')
    .description("list every Kconfig symbol of a kernel tree for one arch: type, file:line of each definition, prompt");
  addKernelOptions(cmd, { kernelRequired: true, archRequired: true, withoutCompiler: 'probes stay unknown' })
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
        const { runSymbols, renderSymbolsText } = await import('../kconfig/symbols.js');
        const r = await runSymbols({ kernel: opts.kernel, ...treeSelection(opts), arch: opts.arch, onProgress: (m) => log.verbose(m) });
        if (opts.json) {
          printJson({
            ok: r.errors === 0, arch: r.arch, srcarch: r.srcarch, count: r.records.length, symbols: r.records,
            diagnostics: r.problems.map(diagnosticToJson),
          });
        } else {
          process.stdout.write(renderSymbolsText(r.records));
          for (const d of r.problems) log.error(renderDiagnostic(d));
        }
        return r.errors > 0 ? ExitCode.usage : ExitCode.ok;
      }),
    );
}
