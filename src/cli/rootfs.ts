import type { Command } from 'commander';
import { action, globalOptions, printJson } from './common.js';

/** `tarsmith rootfs`: make builder.rootfs from the locked packages in packages/ alone (builder.bootstrap). */
export function register(program: Command): void {
  program
    .command('rootfs')
    .description('make the builder rootfs from the locked .deb files in packages/ alone (builder.bootstrap): mmdebstrap over a local repository, SOURCE_DATE_EPOCH from the lock, no network; checked against tarsmith.lock')
    .option('--out <file>', 'write the rootfs tar here instead of builder.rootfs (still checked against the lock)')
    .option('--json', 'print one JSON result on stdout')
    .addHelpText(
      'after',
      `
\`tarsmith vendor\` resolves builder.bootstrap (suite, variant, architecture, extra packages) against the archive,
vendors every .deb into packages/rootfs/debs/ and makes the rootfs once; this command makes it again from those
files only, e.g. on a fresh clone that keeps packages/rootfs/debs/ but not the tarball, or to prove the base is
reproducible. Every .deb is checked against the lock first (a missing or altered file is named); the result must
have the sha256 the lock records for builder.rootfs, or it is removed and the command fails.
Needs mmdebstrap and dpkg-scanpackages (dpkg-dev) on the host, run as root (mmdebstrap's root mode).

Exit codes: 0 made (and equal to the lock), 1 a .deb is missing or altered, the set or the bytes differ from the
            lock, or builder.bootstrap is not vendored, 2 bad manifest or no builder.bootstrap,
            4 mmdebstrap failed (its last lines are quoted).

Examples:
  $ tarsmith rootfs
  $ tarsmith rootfs --out /tmp/again.tar --json   # a second copy: the same sha256
  $ unshare -n tarsmith rootfs                    # no network at all`,
    )
    .action(
      action(async (opts: { out?: string; json?: boolean }, cmd: Command) => {
        const { loadManifest } = await import('../manifest/load.js');
        const { rootfsCommand } = await import('../fetch/rootfs/command.js');
        const g = globalOptions(cmd);
        const manifest = await loadManifest(g.manifest ? { path: g.manifest } : {});
        const r = await rootfsCommand(manifest, opts.out !== undefined ? { out: opts.out } : {});
        if (opts.json) printJson({ ok: true, ...r, matchesLock: r.locked !== undefined ? r.locked === r.sha256 : null });
        else process.stdout.write(`${r.sha256}  ${r.file}${r.locked !== undefined ? ' (matches tarsmith.lock)' : ''}\n`);
      }),
    );
}
