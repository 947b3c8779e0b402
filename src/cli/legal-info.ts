import * as path from 'node:path';
import type { Command } from 'commander';
import { log } from '../core/log.js';
import { action, globalOptions, printJson } from './common.js';

/** `tarsmith legal-info [--out DIR]`: Buildroot-style legal information of the vendored sources. */
export function register(program: Command): void {
  program
    .command('legal-info')
    .description('write the legal information of the vendored sources (as Buildroot\'s make legal-info): a CSV manifest, the sources with their patch series, the license texts, sha256 of everything')
    .option('--out <dir>', 'folder to write (default: out/legal-info beside the manifest); replaced as a whole')
    .option('--json', 'print one JSON result on stdout')
    .addHelpText(
      'after',
      `
Writes, after verifying every input against tarsmith.lock (no network, no engine):
  manifest.csv          PACKAGE,VERSION,LICENSE,LICENSE FILES,SOURCE ARCHIVE,SOURCE SITE (one row per source)
  sources/<name>/       the archive as vendored, its patches as NNN-name.patch and their series (a private
                        source is listed in manifest.csv, never copied; the module signing key is left out)
  licenses/<name>/      COPYING*, LICENSE*, LICENCE*, COPYRIGHT*, NOTICE* found in the source (top folder or
                        one below), and license-id (the manifest's license)
  builder-manifest.csv  the toolchain packages and the builder rootfs or image, with sha256 and origin
  legal-info.sha256     sha256 of every file above (cd DIR && sha256sum -c legal-info.sha256)
The same manifest and lock give the same bytes.

Exit codes: 0 written, 1 an input is missing or does not match the lock, 2 bad manifest, 3 a file cannot be
            read or written.

Examples:
  $ tarsmith legal-info
  $ tarsmith legal-info --out /tmp/legal --json`,
    )
    .action(
      action(async (o: { out?: string; json?: boolean }, c: Command) => {
        const { loadManifest } = await import('../manifest/load.js');
        const { readLockOrFail, verifyOrFail } = await import('../engine/prepare.js');
        const { legalInfo } = await import('../attest/legal-info.js');
        const g = globalOptions(c);
        const m = await loadManifest(g.manifest !== undefined ? { path: g.manifest } : {});
        const lock = await readLockOrFail(m);
        await verifyOrFail(m, lock);
        const out = path.resolve(o.out ?? path.join(m.dir, 'out', 'legal-info'));
        const r = await legalInfo(m, lock, out);
        if (o.json) printJson({ ok: true, ...r });
        else {
          for (const p of r.packages) process.stdout.write(`${p.name}\t${p.version || '-'}\t${p.license}\t${p.licenseFiles.join(' ') || '-'}\n`);
          log.info(`legal information of ${r.packages.length} sources: ${r.files} files in ${r.out}`);
        }
      }),
    );
}
