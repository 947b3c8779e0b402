import type { Command } from 'commander';
import { ExitCode } from '../core/errors.js';
import { action, globalOptions, printJson } from './common.js';

/** Registers `audit musl`: glibc-only constructs in C/C++ sources, with preprocessor awareness. */
export function register(audit: Command): void {
  audit
    .command('musl')
    .description(
      'find glibc-only constructs in C/C++ sources (.c .h .cc .cpp .cxx .hh .hpp) that break on musl; ' +
        'constructs inside a glibc-only #if branch are counted as guarded, not reported',
    )
    .argument('<path>', 'a source folder, or a tarball (tar, gz, bz2, xz, zst) audited without extracting')
    .option('--json', 'print one JSON document (findings and guarded constructs) on stdout')
    .addHelpText(
      'after',
      `
Example:
  $ tarsmith audit musl ./upstream-1.2.tar.xz
  $ tarsmith audit musl src/ --json | jq '.findings[] | .rule'

Exit codes: 0 no findings, 1 findings, 2 bad path or archive, 3 I/O error.`,
    )
    .action(
      action(async (target: string, opts: { json?: boolean }, cmd: Command) => {
        const { auditMusl } = await import('../audit/musl/audit.js');
        const { muslJson, renderMuslText } = await import('../audit/musl/render.js');
        const report = await auditMusl(target);
        if (opts.json) printJson(muslJson(report));
        else process.stdout.write(renderMuslText(report, Boolean(globalOptions(cmd).verbose)));
        return report.findings.length > 0 ? ExitCode.checkFailed : ExitCode.ok;
      }),
    );
}
