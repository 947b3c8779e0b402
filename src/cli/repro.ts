import * as path from 'node:path';
import type { Command } from 'commander';
import { ExitCode, diagnosticToJson } from '../core/errors.js';
import { log } from '../core/log.js';
import { version } from '../core/version.js';
import { action, globalOptions, printJson } from './common.js';
import { engineArgs, engineOptions, type EngineCliOptions } from './engine-options.js';
import { VARIATIONS, VARIATION_ABOUT } from '../repro/variations.js';

/** `tarsmith repro [TARGET]`: build twice under variation, compare out/<name>/, explain every difference. */
export function register(program: Command): void {
  const cmd = program
    .command('repro')
    .argument('[target]', 'target to build (default: the first in build.targets)')
    .description('build the target twice, the second time under variations and with no cache shared after the toolchain; compare the two out/<name>/ trees and explain every difference')
    .option('--variations <list>', 'what the second build varies: all (default), names, -name to leave one out (comma-separated)')
    .option('--html', 'also write diffoscope\'s HTML report (when diffoscope is installed)')
    .option('--json', 'print one JSON result on stdout');
  engineOptions(cmd).addHelpText(
    'after',
    `
The first build is the plain build; the second varies (each on by default):
${VARIATIONS.map((v) => `  ${v.padEnd(11)} ${VARIATION_ABOUT[v]}`).join('\n')}
A variation the builder cannot carry out (no faketime, setpriv or C compiler in it) is reported as not applied.
The engine's UTS host name cannot be changed in a BuildKit step of Docker 20.10: gethostname() callers that
do not ask hostname/uname/$HOSTNAME see the same name in both builds.

Both trees (symlinks, modes and bytes; not tarsmith-build.json and provenance.json, which name the generated
Dockerfile) are compared. Each file that differs gets causes read from its bytes: an embedded build path, host
or user name, a date or time string, archive member order, times or owners (ar, tar, zip), the gzip header, ELF
sections (.comment, build-id, debug info), and a text diff. With diffoscope installed (Debian:
diffoscope-minimal) its report is written beside. Everything is kept in out/<name>.repro/ (first/, second/,
report.json).

Exit codes: 0 the two builds are identical, 1 they differ (or an input does not match the lock),
            2 bad manifest or option, 4 engine missing or a build step failed.

Examples:
  $ tarsmith repro
  $ tarsmith repro hello --variations all,-user
  $ tarsmith repro --variations time,timezone,dir-order --json`,
  );
  cmd.action(
    action(async (target: string | undefined, o: EngineCliOptions & { variations?: string; html?: boolean }, c: Command) => {
      const { repro, renderRepro, renderReproDiagnostics, reproDiagnostics } = await import('../repro/run.js');
      const g = globalOptions(c);
      const { noCache: _ignored, ...args } = engineArgs(o, g.manifest, target);
      if (o.cache === false) log.info('note: --no-cache is implied: nothing after the toolchain is shared between the builds or with earlier ones');
      const r = await repro({ ...args, ...(o.variations !== undefined ? { variations: o.variations } : {}), ...(o.html ? { html: true } : {}), version: version() });
      if (o.json) printJson({ ...r, diagnostics: reproDiagnostics(r).map(diagnosticToJson) });
      else {
        process.stdout.write(renderRepro(r, (p) => path.relative(process.cwd(), p) || '.'));
        process.stderr.write(renderReproDiagnostics(r));
      }
      return r.ok ? ExitCode.ok : ExitCode.checkFailed;
    }),
  );
}
