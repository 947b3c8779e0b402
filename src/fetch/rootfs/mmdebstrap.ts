/**
 * The mmdebstrap command lines of a bootstrap (pure: argv arrays, every value an argument, the hooks only
 * mmdebstrap's own special hooks `upload`/`download`/`sync-out`, never shell text). Two runs use them:
 *  - resolve (vendor time, network): against the archive, `--format=null`, the downloaded .deb files, apt's lists
 *    and dpkg's status synced out to a work folder;
 *  - make (offline): against a file:// repository of the locked files only, `--format=tar`, SOURCE_DATE_EPOCH
 *    from the lock; dpkg's status downloaded to check the set.
 * Both write the declared mirror as the rootfs's apt source, so the made rootfs looks like one bootstrapped from
 * the archive (and `builder.packages` resolve over it against the archive).
 */
import type { Bootstrap } from '../../manifest/types.js';

/** mmdebstrap's hook folder that bind-mounts file:// mirrors into the chroot (for apt run inside it). */
export const AUTOMOUNT_HOOKS = '/usr/share/mmdebstrap/hooks/file-mirror-automount';

/** The one-line sources.list written into the rootfs: the declared archive. */
export function sourcesList(b: Pick<Bootstrap, 'mirror' | 'suite' | 'components'>): string {
  return `deb ${b.mirror} ${b.suite} ${b.components.join(' ')}\n`;
}

function common(b: Pick<Bootstrap, 'variant' | 'architecture' | 'packages'>, sourcesFile: string): string[] {
  return [
    'mmdebstrap',
    `--variant=${b.variant}`,
    `--architectures=${b.architecture}`,
    ...(b.packages.length ? [`--include=${b.packages.join(',')}`] : []),
    // Keep the .deb files apt fetched (resolve: they are what gets vendored; make: they are the repository's own).
    '--skip=essential/unlink',
    `--customize-hook=upload ${sourcesFile} /etc/apt/sources.list`,
  ];
}

export interface ResolveArgs {
  bootstrap: Bootstrap;
  /** Work folder: receives archives/, lists/ and status. */
  work: string;
  sourcesFile: string;
}

export function resolveArgv(a: ResolveArgs): string[] {
  const b = a.bootstrap;
  return [
    ...common(b, a.sourcesFile),
    `--components=${b.components.join(',')}`,
    ...(b.keyring !== undefined ? [`--keyring=${b.keyring}`] : []),
    `--customize-hook=sync-out /var/cache/apt/archives ${a.work}/archives`,
    `--customize-hook=sync-out /var/lib/apt/lists ${a.work}/lists`,
    `--customize-hook=download /var/lib/dpkg/status ${a.work}/status`,
    '--format=null',
    b.suite,
    '/dev/null',
    b.mirror,
  ];
}

export interface MakeArgs {
  bootstrap: Pick<Bootstrap, 'suite' | 'variant' | 'architecture' | 'packages'>;
  /** The repository folder (pool/ and dists/SUITE/). */
  repo: string;
  component: string;
  sourcesFile: string;
  /** Where dpkg's status file of the result is downloaded to. */
  statusFile: string;
  /** The tar file to write. */
  out: string;
}

export function makeArgv(a: MakeArgs): string[] {
  return [
    ...common(a.bootstrap, a.sourcesFile),
    `--hook-dir=${AUTOMOUNT_HOOKS}`,
    `--customize-hook=download /var/lib/dpkg/status ${a.statusFile}`,
    '--format=tar',
    a.bootstrap.suite,
    a.out,
    // The files were checked against the lock before the repository was made: the lock is the trust root here.
    `deb [trusted=yes] file://${a.repo} ${a.bootstrap.suite} ${a.component}`,
  ];
}

/** The last lines of mmdebstrap's stderr worth quoting in a failure (its `E:` lines first, else the tail). */
export function stderrTail(lines: readonly string[], n = 8): string[] {
  const errors = lines.filter((l) => l.startsWith('E: '));
  return (errors.length ? errors : lines.filter((l) => l.trim() !== '')).slice(-n);
}
