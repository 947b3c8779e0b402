/**
 * Speed of `tarsmith audit musl` on a large C tree (the `tools/` folder of the Debian kernel source) against a
 * plain `grep -rE` for the same headers and functions, measured in the same run. Goal: within 3x of grep.
 * Both are run as whole processes (start-up included); each is timed several times and the median kept.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '../src/core/exec.js';
import { measure, median } from './lib.js';

const KERNEL_TARBALL = '/usr/src/linux-source-6.12.tar.xz';
const RUNS = 5;
const GOAL = 3;
const bin = fileURLToPath(new URL('../bin/tarsmith', import.meta.url));

/** The same triggers the audit's prefilter uses, as a POSIX ERE for grep. */
const GREP_PATTERN =
  '<(execinfo|error|fts|obstack|argp|printf|gnu/libc-version|fpu_control|sys/cdefs)\\.h>|backtrace|mallinfo|' +
  '_(malloc|free|realloc|memalign|after_morecore|malloc_initialize)_hook|register_printf|qsort_r|strerror_r|optreset|' +
  'RTLD_DEEPBIND|dlclose|symver|dlvsym|_PREREQ|gnu_get_libc|pthread_create|__BEGIN_DECLS|__END_DECLS|__THROW';
const INCLUDES = ['c', 'h', 'cc', 'cpp', 'cxx', 'hh', 'hpp'].map((e) => `--include=*.${e}`);

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-bench-musl-'));
  try {
    process.stderr.write(`extracting */tools/* from ${KERNEL_TARBALL} ...\n`);
    const x = await exec(['tar', '-xJf', KERNEL_TARBALL, '-C', dir, '--wildcards', '*/tools/*']);
    if (x.code !== 0) throw new Error(`tar failed: ${x.stderr}`);
    const [top] = await fs.readdir(dir);
    const tree = path.join(dir, top ?? '');

    const grepTimes: number[] = [];
    const auditTimes: number[] = [];
    const grepCpu: number[] = [];
    const auditCpu: number[] = [];
    let grepLines = 0;
    let summary = '';
    for (let i = 0; i < RUNS; i++) {
      // grep exits 1 when nothing matches, audit musl when it has findings: both are results, not failures.
      const g = await measure(['grep', '-rEn', ...INCLUDES, GREP_PATTERN, tree], { okCodes: [0, 1] });
      grepTimes.push(g.ms);
      grepCpu.push(g.cpuMs);
      grepLines = g.stdout.split('\n').filter(Boolean).length;
      const a = await measure([bin, 'audit', 'musl', tree, '--json'], { okCodes: [0, 1] });
      auditTimes.push(a.ms);
      auditCpu.push(a.cpuMs);
      const doc = JSON.parse(a.stdout) as { filesScanned: number; counts: { findings: number; guarded: number } };
      summary = `${doc.filesScanned} files, ${doc.counts.findings} findings, ${doc.counts.guarded} guarded`;
    }
    const g = median(grepTimes);
    const a = median(auditTimes);
    const ratio = a / g;
    const cpuRatio = median(auditCpu) / Math.max(1, median(grepCpu));
    console.log(`tree: ${tree} (kernel tools/)`);
    console.log(`grep -rE (same headers and functions): ${g.toFixed(0)} ms wall, ${median(grepCpu).toFixed(0)} ms CPU (medians of ${RUNS}), ${grepLines} matching lines`);
    console.log(`tarsmith audit musl:                   ${a.toFixed(0)} ms wall, ${median(auditCpu).toFixed(0)} ms CPU (medians of ${RUNS}), ${summary}`);
    console.log(`ratio audit/grep: wall ${ratio.toFixed(2)}x, CPU ${cpuRatio.toFixed(2)}x (goal <= ${GOAL}x): ${ratio <= GOAL ? 'met' : 'NOT met'}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

await main();
