/** Run a command under /usr/bin/time (scripts/setup-deps.sh installs it) and report its peak RSS. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Measured {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the command, in MiB. */
  peakMiB: number;
}

export function withPeakRss(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Measured {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tarsmith-rss-'));
  try {
    const out = path.join(dir, 'rss');
    const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', out, ...argv], { encoding: 'utf8', cwd: opts.cwd, env: opts.env ?? process.env });
    const kib = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, peakMiB: kib / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A tarball of `dir/top` made by GNU tar and compressed by `compressor` (argv reading stdin, writing stdout). */
export function tarInto(out: string, dir: string, top: string, compressor: string[]): void {
  const r = spawnSync('sh', ['-c', 'o=$1 d=$2 t=$3; shift 3; tar -c -C "$d" "$t" | "$@" > "$o"', 'sh', out, dir, top, ...compressor], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`tar | ${compressor.join(' ')} failed`);
}
