import type { Command } from 'commander';
import { ExitCode, diagnosticToJson, exitOf, renderDiagnostic } from '../core/errors.js';
import { action, globalOptions, printJson } from './common.js';

/** `tarsmith verify`: check every vendored file against the lock (or a coreutils packages/SHA256SUMS). */
export function register(program: Command): void {
  program
    .command('verify')
    .description('check every locked file in packages/ against its sha256; report missing, mismatched and unlisted files')
    .option('--strict', 'unlisted files, stale lock entries and an out-of-date SHA256SUMS are errors, not warnings')
    .option('--json', 'print one JSON report on stdout')
    .addHelpText(
      'after',
      `
Without tarsmith.lock, packages/SHA256SUMS (as written by \`sha256sum\`) is checked instead.

Exit codes: 0 all good, 1 a file is missing, differs or (with --strict) is unlisted,
            2 nothing to check or a bad manifest/lock, 3 a file cannot be read.

Example:
  $ tarsmith verify --strict
  packages/zlib-1.3.1.tar.gz: OK`,
    )
    .action(
      action(async (opts: { strict?: boolean; json?: boolean }, cmd: Command) => {
        const { runVerify } = await import('../lock/run.js');
        const { renderWarning } = await import('../lock/mismatch.js');
        const g = globalOptions(cmd);
        const report = await runVerify({ strict: Boolean(opts.strict), ...(g.manifest ? { manifestPath: g.manifest } : {}) });
        const exit = report.problems.reduce<number>((a, f) => Math.max(a, exitOf(f)), ExitCode.ok);
        if (opts.json) {
          printJson({
            ok: report.ok,
            mode: report.mode,
            files: report.checked,
            unlisted: report.unlisted,
            errors: report.problems.map(diagnosticToJson),
            warnings: report.warnings.map(diagnosticToJson),
          });
          return report.ok ? ExitCode.ok : Math.max(exit, ExitCode.checkFailed);
        }
        for (const c of report.checked) {
          process.stdout.write(`${c.file}: ${c.status === 'ok' ? 'OK' : c.status.toUpperCase()}\n`);
        }
        for (const w of report.warnings) process.stderr.write(`${renderWarning(w)}\n`);
        for (const p of report.problems) process.stderr.write(`${renderDiagnostic(p)}\n`);
        process.stderr.write(`${report.ok ? 'verified' : 'FAILED:'} ${report.checked.length} file(s)\n`);
        return report.ok ? ExitCode.ok : Math.max(exit, ExitCode.checkFailed);
      }),
    );
}
