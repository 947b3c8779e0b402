import type { Command } from 'commander';
import { isTarsmithError } from '../core/errors.js';
import { log } from '../core/log.js';
import { action, globalOptions, printJson } from './common.js';

interface NormalizeCliOptions {
  format: string;
  sourceDateEpoch?: string;
  keepVcs?: boolean;
  json?: boolean;
}

/** The manifest's sourceDateEpoch when a manifest is found; a broken manifest is an error, a missing one is not. */
async function manifestEpoch(manifestPath: string | undefined): Promise<number | undefined> {
  const { loadManifest } = await import('../manifest/load.js');
  try {
    return (await loadManifest(manifestPath ? { path: manifestPath } : {})).sourceDateEpoch;
  } catch (e) {
    if (!manifestPath && isTarsmithError(e) && e.failures.every((f) => f.code === 'manifest.not-found')) return undefined;
    throw e;
  }
}

/** Registers `tarsmith normalize`. */
export function register(program: Command): void {
  program
    .command('normalize')
    .description('repack a tarball deterministically: sorted members, clamped mtimes, owner 0, fixed modes and compression')
    .argument('<in>', 'input archive: tar, tar.gz, tar.bz2, tar.xz or tar.zst (recognised by content)')
    .argument('<out>', 'output archive (written atomically)')
    .option('--format <format>', 'output format: tar.gz, tar.xz, tar.zst or tar', 'tar.gz')
    .option('--source-date-epoch <n>', 'clamp mtimes to N (default: manifest sourceDateEpoch, else $SOURCE_DATE_EPOCH)')
    .option('--keep-vcs', 'keep .git, .hg, .svn and .bzr folders (dropped by default)')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText(
      'after',
      `
The output is the same bytes for the same input contents, on any machine (same tarsmith and Node.js versions).
Exit codes: 0 written, 2 bad input (unknown format, corrupt/truncated, unsafe member names), 3 I/O errors.

Example:
  tarsmith normalize upstream-1.2.tar.bz2 packages/upstream-1.2.tar.gz --source-date-epoch 1700000000
  git archive --format=tar HEAD > src.tar && tarsmith normalize src.tar src.tar.xz --format tar.xz \\
    --source-date-epoch "$(git log -1 --format=%ct)"`,
    )
    .action(
      action(async (input: string, output: string, opts: NormalizeCliOptions, cmd: Command) => {
        const { normalize } = await import('../archive/index.js');
        const { parseOutputFormat, resolveSourceDateEpoch } = await import('../archive/epoch.js');
        const format = parseOutputFormat(opts.format);
        const { epoch, from } = resolveSourceDateEpoch({
          ...(opts.sourceDateEpoch !== undefined ? { flag: opts.sourceDateEpoch } : {}),
          ...(opts.sourceDateEpoch === undefined ? await manifestEpochOpt(globalOptions(cmd).manifest) : {}),
          ...(process.env.SOURCE_DATE_EPOCH !== undefined ? { env: process.env.SOURCE_DATE_EPOCH } : {}),
        });
        log.verbose(`normalize: SOURCE_DATE_EPOCH=${epoch} (from ${from})`);
        const r = await normalize(input, output, { format, sourceDateEpoch: epoch, dropVcs: !opts.keepVcs });
        if (opts.json) printJson({ ok: true, input, output, format, sourceDateEpoch: epoch, epochFrom: from, ...r });
        else process.stdout.write(`${r.sha256}  ${output}\n`);
      }),
    );
}

async function manifestEpochOpt(manifestPath: string | undefined): Promise<{ manifest?: number }> {
  const m = await manifestEpoch(manifestPath);
  return m === undefined ? {} : { manifest: m };
}
