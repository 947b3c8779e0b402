import type { Command } from 'commander';
import { ExitCode } from '../core/errors.js';
import { action, printJson } from './common.js';
import { addKernelOptions, treeSelection, type KernelOpts } from './kernel-options.js';

interface ExplainOpts extends KernelOpts {
  kernel: string;
  config?: string;
  want?: string;
  json?: boolean;
}

/** Registers `kconfig explain`. */
export function register(kconfig: Command): void {
  const cmd = kconfig
    .command('explain')
    .description('say where a Kconfig symbol is defined, what governs it, and why it has its value in a .config')
    .argument('<symbol>', 'symbol name, with or without the CONFIG_ prefix');
  addKernelOptions(cmd, { kernelRequired: true, archRequired: false, withoutCompiler: 'probed symbols take the .config values' })
    .option('--config <path>', 'a resolved .config: explain the value the symbol has there')
    .option('--want <value>', 'with --config: explain why the symbol cannot have this value (y, m, n, 64, "text")')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      `
Without --config: definitions (file:line), type, prompts and conditions, depends on, visible if, selected/implied by,
choice, ranges and defaults. With --config: also the value there and why (unmet or capping dependency with the
values of its symbols, no prompt, forced by select, invalid value, range clamp, or nearest names when undefined).

Exit codes: 0 explained, 1 the symbol is not defined in this tree (nearest names are printed), 2 bad options.

Example:
  tarsmith kconfig explain CONFIG_IP6_NF_IPTABLES_LEGACY --kernel linux-6.12.tar.xz --arch arm64 --config out/.config
  tarsmith kconfig explain NF_TABLES_IPV6 --kernel linux-6.12 --config out/.config --want y`,
    )
    .action(
      action(async (symbol: string, opts: ExplainOpts) => {
        const { runExplain, renderExplain } = await import('../kconfig/explain.js');
        const r = await runExplain({
          symbol,
          kernel: opts.kernel,
          ...treeSelection(opts),
          ...(opts.config !== undefined ? { config: opts.config } : {}),
          ...(opts.want !== undefined ? { want: opts.want } : {}),
        });
        if (opts.json) printJson(r);
        else process.stdout.write(renderExplain(r));
        return r.defined ? ExitCode.ok : ExitCode.checkFailed;
      }),
    );
}
