import type { Command } from 'commander';
import { diagnosticToJson, ExitCode } from '../core/errors.js';
import { action, globalOptions, printJson } from './common.js';

/** Registers `audit fetch`: the network fetches an upstream build would make, found before the build. */
export function register(audit: Command): void {
  audit
    .command('fetch')
    .description(
      'find every network fetch an upstream tree makes while building (git clone/fetch/submodule, wget, curl, CMake ' +
        'FetchContent/ExternalProject/file(DOWNLOAD), Dockerfile ADD, .gitmodules, Meson wraps; pip/npm/go/cargo ' +
        'reported as unsupported), with URLs and refs resolved through Make, shell and CMake variables, and print a ' +
        'sources: snippet for the manifest',
    )
    .argument('<path>', 'the upstream tree: a folder, or a tarball (tar, gz, bz2, xz, zst) read without extracting')
    .option('--json', 'print one JSON document (fetches, notes, snippet) on stdout')
    .addHelpText(
      'after',
      `
With the global --manifest M, each fetch is checked against M's sources (their url/git and provides:), and
the command exits 1 when a fetch is not covered.

Example:
  $ tarsmith audit fetch ./ask-1.0.tar.gz
  $ tarsmith --manifest tarsmith.yaml audit fetch upstream/ --json | jq '.fetches[] | select(.coveredBy == null)'

Exit codes: 0 done (and, with --manifest, every fetch covered), 1 a fetch is not covered, 2 bad path, manifest
or archive, 3 I/O error.`,
    )
    .action(
      action(async (target: string, opts: { json?: boolean }, cmd: Command) => {
        const manifestPath = globalOptions(cmd).manifest;
        const manifest = manifestPath ? await (await import('../manifest/load.js')).loadManifest({ path: manifestPath }) : undefined;
        const { auditFetch } = await import('../audit/fetch/audit.js');
        const report = await auditFetch(target, manifest ? { manifest } : {});
        if (opts.json) printJson({ ok: !report.uncovered, ...report, diagnostics: report.diagnostics.map(diagnosticToJson) });
        else {
          const { renderFetchReport } = await import('../audit/fetch/render.js');
          process.stdout.write(renderFetchReport(report));
        }
        return report.uncovered ? ExitCode.checkFailed : ExitCode.ok;
      }),
    );
}
