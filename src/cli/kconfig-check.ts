import type { Command } from 'commander';
import { diagnosticToJson, renderDiagnostic } from '../core/errors.js';
import { log } from '../core/log.js';
import { action, printJson } from './common.js';
import { addKernelOptions, treeSelection, type KernelOpts } from './kernel-options.js';

interface CheckOpts extends KernelOpts {
  config: string;
  json?: boolean;
}

/** Registers `kconfig check`. */
export function register(kconfig: Command): void {
  const cmd = kconfig
    .command('check')
    .description('check that a resolved .config satisfies every line of a config fragment')
    .argument('<fragment>', 'config fragment (CONFIG_X=value and "# CONFIG_X is not set" lines)')
    .requiredOption('--config <path>', 'the resolved .config to check');
  addKernelOptions(cmd, {
    kernelRequired: false, archRequired: false, kernelPurpose: 'explain each mismatch and prove its fix',
    withoutCompiler: 'probed symbols take the .config values',
  })
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      `
Every fragment line the .config does not satisfy is printed as
  kconfig mismatch: CONFIG_X / expected: ... / actual: ... (<missing> when absent)
followed by "error: resolved kernel config does not satisfy FRAGMENT". With --kernel, each mismatch says why,
and each suggested fix is proven: the .config is resolved again with the fix applied (followed to its root when
the fix itself cannot hold), and a "checked:" line says what makes the line stick, or that no fix exists.
Exit codes: 0 satisfied, 1 mismatches, 2 malformed fragment lines or bad options, 3 unreadable files.

Example:
  tarsmith kconfig check --config out/.config kernel-extra.config
  tarsmith kconfig check --config out/.config --kernel linux-6.12.tar.xz --arch arm64 kernel-extra.config`,
    )
    .action(
      action(async (fragment: string, opts: CheckOpts) => {
        const { renderCheckReport, checkExitCode } = await import('../kconfig/check.js');
        const { runCheck } = await import('../kconfig/check-run.js');
        const report = await runCheck({
          fragment,
          config: opts.config,
          ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
          ...treeSelection(opts),
        });
        if (opts.json) {
          printJson({
            ...report,
            errors: report.errors.map(diagnosticToJson),
            warnings: report.warnings.map(diagnosticToJson),
          });
        } else {
          for (const w of report.warnings) log.warning(renderDiagnostic(w));
          process.stdout.write(renderCheckReport(report));
          if (report.ok) log.info(`${report.config} satisfies ${report.fragment} (${report.checked} lines)`);
          else if (opts.kernel === undefined && report.mismatches.length > 0) {
            log.info('hint: add --kernel <tree> (and --arch) to see why each value did not stick');
          }
        }
        return checkExitCode(report);
      }),
    );
}
