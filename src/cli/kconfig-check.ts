import type { Command } from 'commander';
import { diagnosticToJson } from '../core/errors.js';
import { log } from '../core/log.js';
import { action, printJson } from './common.js';

interface CheckOpts {
  config: string;
  kernel?: string;
  arch?: string;
  cc?: string;
  crossCompile?: string;
  cache: boolean;
  json?: boolean;
}

/** Registers `kconfig check`. */
export function register(kconfig: Command): void {
  kconfig
    .command('check')
    .description('check that a resolved .config satisfies every line of a config fragment')
    .argument('<fragment>', 'config fragment (CONFIG_X=value and "# CONFIG_X is not set" lines)')
    .requiredOption('--config <path>', 'the resolved .config to check')
    .option('--kernel <path>', 'kernel tree folder or tarball: explain each mismatch')
    .option('--arch <arch>', 'ARCH for --kernel (default: from the .config header)')
    .option('--cc <cc>', 'C compiler for $(cc-option,...) probes (default: probed symbols take the .config values)')
    .option('--cross-compile <prefix>', 'toolchain prefix, e.g. aarch64-linux-gnu- (CC, LD, ... = prefix + tool)')
    .option('--no-cache', 'do not read or write the parse cache (~/.cache/tarsmith/kconfig)')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      `
Every fragment line the .config does not satisfy is printed as
  kconfig mismatch: CONFIG_X / expected: ... / actual: ... (<missing> when absent)
followed by "error: resolved kernel config does not satisfy FRAGMENT".
Exit codes: 0 satisfied, 1 mismatches, 2 malformed fragment lines or bad options, 3 unreadable files.

Example:
  tarsmith kconfig check --config out/.config kernel-extra.config
  tarsmith kconfig check --config out/.config --kernel linux-6.12.tar.xz --arch arm64 kernel-extra.config`,
    )
    .action(
      action(async (fragment: string, opts: CheckOpts) => {
        const { runCheck, renderCheckReport, formatWarning, checkExitCode } = await import('../kconfig/check.js');
        const report = await runCheck({
          fragment,
          config: opts.config,
          ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
          ...(opts.arch !== undefined ? { arch: opts.arch } : {}),
          ...(opts.cc !== undefined ? { cc: opts.cc } : {}),
          ...(opts.crossCompile !== undefined ? { crossCompile: opts.crossCompile } : {}),
          cache: opts.cache,
        });
        if (opts.json) {
          printJson({
            ...report,
            errors: report.errors.map(diagnosticToJson),
            warnings: report.warnings.map(diagnosticToJson),
          });
        } else {
          for (const w of report.warnings) log.warn(formatWarning(w));
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
