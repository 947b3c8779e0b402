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
    .option('--mirror <dir>', 'look for every input in this folder first (before vendor.mirrors): tarballs by file name (or sha256/HASH), bare git repositories (NAME.git, HOST/PATH.git), builder .deb/.apk files; repeatable', collect, [])
    .option('--update-packages', 'resolve builder.packages (and builder.bootstrap) again (newer archive versions); prints the version changes')
    .option('--json', 'print one JSON report on stdout')
    .addHelpText(
      'after',
      `
builder.packages (Debian names, NAME:ARCH for a foreign architecture) are resolved to their whole dependency
closure over the builder's base, in a container of it (the one place besides downloads that uses the network),
and every .deb lands in packages/debs/ under the lock; \`tarsmith toolchain\` and \`build\` then need no network.

builder.bootstrap (a declared Debian base: suite, variant, architecture, packages) is resolved against the archive
with mmdebstrap, every .deb of the base lands in packages/rootfs/debs/ under the lock, and the rootfs is made from
those files alone (SOURCE_DATE_EPOCH from the lock; \`tarsmith rootfs\` makes it again, offline).
--update-packages re-resolves both; --frozen fails when either set would change.

Exit codes: 0 done, 1 hash mismatch / pinned commit moved / --frozen change, 2 bad manifest or option
            (an unknown --update name, a missing local file, an unknown git ref, an unknown package), 3 network
            or I/O failure (unreachable, HTTP error, cut transfer, timeout, git fetch), 4 the engine cannot run
            the package resolver.

--mirror DIR vendors offline from a folder you name once: the sources: snippet \`audit fetch\` prints works as
pasted. A url source is taken from DIR/<its URL's file name> (or DIR/sha256/<pinned or locked sha256>), a git
source from the repository DIR/<host>/<path>.git, DIR/<path>.git or DIR/<last path part>.git (with or without
.git): tarsmith fetches the ref from there in place of the URL, so no git insteadOf configuration is needed. The
lock records the origin URLs as written; what the mirror lacks is fetched from its origin. Every file is checked
against its pin or lock as usual. The builder's .deb (.apk) files are looked up there too, by sha256/HASH, by file
name, in debs/ (apks/) as another project's packages/ holds them, or at their archive path (HOST/debian/pool/...,
debian/pool/..., pool/...): a locked project vendors without the network. (Resolving a changed builder.packages
still reads the archive's index over the network; the files then come from the mirror.)

A project that always vendors from the same mirrors names them in tarsmith.yaml instead, once for every input:
  vendor:
    mirrors:
      - ../mirror                          # a folder (relative to tarsmith.yaml): tarballs, git, packages
      - https://mirror.example.org/files/  # a base URL: tarballs and packages, by the same paths
They are looked in after the --mirror folders, in order; a folder that does not exist is an error at its line.

Cache: $XDG_CACHE_HOME/tarsmith (default ~/.cache/tarsmith).

Examples:
  $ tarsmith vendor
  $ tarsmith vendor --frozen          # in CI: the lock is the truth
  $ tarsmith vendor --update mylib    # follow the branch mylib's ref names
  $ tarsmith vendor --update-packages # newer package versions from the archive, shown as a diff
  $ tarsmith vendor --mirror /srv/mirror   # offline: tarballs, bare git repositories and .deb files from a folder`,
    )
    .action(
      action(async (opts: { frozen?: boolean; update: string[]; updatePackages?: boolean; mirror: string[]; json?: boolean }, cmd: Command) => {
        const { loadManifest } = await import('../manifest/load.js');
        const { vendor } = await import('../fetch/vendor.js');
        const { formatChanges } = await import('../fetch/toolchain/packages.js');
        const g = globalOptions(cmd);
        const manifest = await loadManifest(g.manifest ? { path: g.manifest } : {});
        const docker = async () => {
          const { probeEngine } = await import('../engine/probe.js');
          return (await probeEngine()).docker;
        };
        const { mirrorDirs } = await import('../fetch/local-mirror.js');
        const mirrors = await mirrorDirs(opts.mirror, process.cwd());
        const report = await vendor(manifest, { frozen: Boolean(opts.frozen), update: opts.update, updatePackages: Boolean(opts.updatePackages), mirrors, docker });
        if (opts.json) {
          printJson({ ok: true, lockChanged: report.lockChanged, items: report.items, packagesResolved: report.packagesResolved, packageChanges: report.packageChanges, rootfsResolved: report.rootfsResolved, rootfsChanges: report.rootfsChanges });
          return ExitCode.ok;
        }
        for (const it of getLogLevel() === 'quiet' ? [] : report.items) {
          const mark = it.changed ? ' (lock updated)' : '';
          process.stdout.write(`${it.kind} ${it.name}: ${it.file} ${it.sha256.slice(0, 16)}… via ${it.via}${mark}\n`);
        }
        if (report.rootfsResolved) {
          const lines = formatChanges(report.rootfsChanges);
          process.stdout.write(`rootfs packages resolved: ${lines.length ? `${lines.length} change(s)` : 'no version changes'}\n`);
          for (const l of lines) process.stdout.write(`  ${l}\n`);
        }
        if (report.packagesResolved) {
          const lines = formatChanges(report.packageChanges);
          process.stdout.write(`builder packages resolved: ${lines.length ? `${lines.length} change(s)` : 'no version changes'}\n`);
          for (const l of lines) process.stdout.write(`  ${l}\n`);
        }
        log.info(report.lockChanged ? 'tarsmith.lock updated' : 'tarsmith.lock unchanged');
        return ExitCode.ok;
      }),
    );
}
