import type { Command } from 'commander';
import { ExitCode } from '../core/errors.js';
import { getLogLevel, log } from '../core/log.js';
import { action, globalOptions, printJson } from './common.js';

function collect(value: string, prev: string[]): string[] {
  return [...prev, value];
}

/** `tarsmith vendor`: bring every source, patch and the builder rootfs into packages/ and write tarsmith.lock. */
export function register(program: Command): void {
  program
    .command('vendor')
    .description('fetch every source (cache → mirrors → origin), patch and builder rootfs into packages/; write tarsmith.lock and packages/SHA256SUMS')
    .option('--frozen', 'fail (exit 1) if tarsmith.lock would change; fetch only what it already lists')
    .option('--update <name>', 're-resolve this source (a moved branch, a re-released tarball); repeatable', collect, [])
    .option('--json', 'print one JSON report on stdout')
    .addHelpText(
      'after',
      `
Exit codes: 0 done, 1 hash mismatch / pinned commit moved / --frozen change, 2 bad manifest or option
            (an unknown --update name, a missing local file, an unknown git ref), 3 network or I/O failure
            (unreachable, HTTP error, cut transfer, timeout, git fetch).

Cache: $XDG_CACHE_HOME/tarsmith (default ~/.cache/tarsmith).

Examples:
  $ tarsmith vendor
  $ tarsmith vendor --frozen          # in CI: the lock is the truth
  $ tarsmith vendor --update mylib    # follow the branch mylib's ref names`,
    )
    .action(
      action(async (opts: { frozen?: boolean; update: string[]; json?: boolean }, cmd: Command) => {
        const { loadManifest } = await import('../manifest/load.js');
        const { vendor } = await import('../fetch/vendor.js');
        const g = globalOptions(cmd);
        const manifest = await loadManifest(g.manifest ? { path: g.manifest } : {});
        const report = await vendor(manifest, { frozen: Boolean(opts.frozen), update: opts.update });
        if (opts.json) {
          printJson({ ok: true, lockChanged: report.lockChanged, items: report.items });
          return ExitCode.ok;
        }
        for (const it of getLogLevel() === 'quiet' ? [] : report.items) {
          const mark = it.changed ? ' (lock updated)' : '';
          process.stdout.write(`${it.kind} ${it.name}: ${it.file} ${it.sha256.slice(0, 16)}… via ${it.via}${mark}\n`);
        }
        log.info(report.lockChanged ? 'tarsmith.lock updated' : 'tarsmith.lock unchanged');
        return ExitCode.ok;
      }),
    );
}
