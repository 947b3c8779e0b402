/**
 * What the benchmarks under bench/ share: timing a whole process (wall time; with GNU time, its CPU time and peak
 * RSS too) or a call in this process, the median of repeated runs, and the number formats of their reports.
 * Not a benchmark itself: scripts/bench.sh runs every other file here.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exec } from '../src/core/exec.js';

/** GNU time (Debian's `time` package; scripts/setup-deps.sh installs it): a child's CPU time and peak RSS. */
export const GNU_TIME = '/usr/bin/time';

/** The middle value (the upper one of an even count); 0 for none. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** `12.3 s` (`digits` decimals). */
export const seconds = (ms: number, digits = 1): string => `${(ms / 1000).toFixed(digits)} s`;
/** A ratio as `12.3 %`. */
export const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

export interface Measured {
  /** Wall time, start-up included. */
  ms: number;
  /** The child's CPU time (user + system) and peak RSS, from GNU time; 0 when it is not installed or not asked for. */
  cpuMs: number;
  rssKiB: number;
  code: number;
  stdout: string;
  stderr: string;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Exit codes that count as success (default: 0 only); any other throws with the end of stderr. */
  okCodes?: readonly number[];
  /** Run under GNU time for CPU time and peak RSS (default true; false times the bare process). */
  usage?: boolean;
}

/** GNU time's `-f '%M %U %S'` record: peak RSS (KiB) and CPU time (user + system, ms). */
export async function readTimeFile(file: string): Promise<{ rssKiB: number; cpuMs: number }> {
  const last = (await fs.readFile(file, 'utf8')).trim().split('\n').at(-1) ?? '';
  const [rss, user, sys] = last.split(' ').map(Number);
  return { rssKiB: rss ?? 0, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000 };
}

/** Run `argv` once (output captured) and time it; see `MeasureOptions`. */
export async function measure(argv: readonly string[], opts: MeasureOptions = {}): Promise<Measured> {
  const usage = (opts.usage ?? true) && (await fs.access(GNU_TIME).then(() => true, () => false));
  const timeFile = path.join(os.tmpdir(), `tarsmith-bench-time-${process.pid}`);
  const full = usage ? [GNU_TIME, '-f', '%M %U %S', '-o', timeFile, ...argv] : [...argv];
  const start = process.hrtime.bigint();
  const r = await exec(full, { ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}), ...(opts.env ? { env: opts.env } : {}), capture: true });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!(opts.okCodes ?? [0]).includes(r.code)) throw new Error(`${argv.join(' ')} failed (${r.code}):\n${r.stderr.slice(-3000)}`);
  let used = { rssKiB: 0, cpuMs: 0 };
  if (usage) {
    used = await readTimeFile(timeFile);
    await fs.rm(timeFile, { force: true });
  }
  return { ms, ...used, code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** Wall time (ms) of `argv`, which must exit 0. */
export async function timed(argv: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  return (await measure(argv, { ...opts, usage: false })).ms;
}

/** Wall time and this process's own CPU time (user + system; steadier than wall time on a busy machine) of `fn`. */
export async function timedCall<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (used.user + used.system) / 1000, value };
}
