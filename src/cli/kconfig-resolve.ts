import type { Command } from 'commander';
import { ExitCode, fail, diagnosticToJson, renderDiagnostic } from '../core/errors.js';
import { log } from '../core/log.js';
import { action, printJson } from './common.js';
import { addKernelOptions, treeSelection, type KernelOpts } from './kernel-options.js';

interface ResolveOpts extends KernelOpts {
  kernel: string;
  arch: string;
  defconfig?: string;
  base?: string;
  target: string[];
  allconfig?: string;
  probes?: string;
  makeVar: string[];
  output?: string;
  proveFixes: boolean;
  json?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function makeVars(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(kv.slice(0, eq))) {
      fail({ code: 'usage.bad-make-var', exit: ExitCode.usage, message: '--make-var expects NAME=VALUE', value: kv, hint: 'e.g. --make-var USERCFLAGS=-O2 or --make-var CROSS_COMPILE_COMPAT=arm-linux-gnueabihf-' });
    }
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

const HELP = `
Writes the .config that these kernel commands write, byte for byte (same header, menu comments, "# end of"
lines, blank lines and order), without running make:
  make ARCH=A TARGET [NAME.config...]  (or: cp BASE .config)
  scripts/kconfig/merge_config.sh -m .config FRAGMENT...
  make ARCH=A olddefconfig
TARGET is defconfig (the arch's KBUILD_DEFCONFIG), NAME_defconfig (arch/$SRCARCH/configs/), allnoconfig,
allyesconfig, allmodconfig, alldefconfig (with --allconfig as KCONFIG_ALLCONFIG) or tinyconfig.
The Kconfig compiler probes need the compiler the kernel build uses (--cc / --cross-compile); without one,
--probes FILE gives their answers (e.g. the resolved .config of a previous build) and the values taken from it
are listed on stderr.

Every fragment line is then checked against the result, as "kconfig check --kernel" does; each suggested fix
is proven by resolving again with it applied. Without -o the .config goes to stdout and the report to stderr;
with -o the report goes to stdout. --json: one document with every symbol's value and where it came from.

Exit codes: 0 resolved and every fragment line sticks, 1 some fragment lines do not stick (the .config is still
written), 2 bad options, malformed fragment lines, unknown target or Kconfig errors, 3 unreadable files.

Example:
  tarsmith kconfig resolve --kernel linux-6.12.tar.xz --arch arm64 --cross-compile aarch64-linux-gnu- \\
      netfilter.config -o .config
  tarsmith kconfig resolve --kernel ~/src/linux --arch x86_64 --cc gcc --defconfig x86_64_defconfig \\
      --target kvm_guest.config --json > resolved.json
  tarsmith kconfig resolve --kernel linux/ --arch arm64 --base old.config --probes old.config extra.config`;

/** Registers `kconfig resolve`. */
export function register(kconfig: Command): void {
  const cmd = kconfig
    .command('resolve')
    .description("write the .config the kernel's make defconfig + merge_config.sh + olddefconfig would write")
    .argument('[fragment...]', 'config fragments merged in order (merge_config.sh -m)');
  addKernelOptions(cmd, { kernelRequired: true, archRequired: true, withoutCompiler: 'none: pass it, or --probes' })
    .option('--defconfig <target>', 'make config target to start from (default: defconfig)')
    .option('--base <file>', 'start from this .config instead of a make target')
    .option('--target <name.config>', 'a NAME.config make target after the base (kernel/configs/, arch configs/); repeatable', collect, [])
    .option('--allconfig <file>', 'KCONFIG_ALLCONFIG for all*config targets')
    .option('--probes <file>', 'answers for the compiler probes when no compiler is given: a resolved .config')
    .option('--make-var <name=value>', 'a make variable Kconfig reads (USERCFLAGS, USERLDFLAGS, CROSS_COMPILE_COMPAT); repeatable', collect, [])
    .option('-o, --output <path>', 'write the .config here (atomically) instead of stdout')
    .option('--no-prove-fixes', 'do not resolve again to prove the suggested fixes')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', HELP)
    .action(action(run));
}

async function run(fragments: string[], opts: ResolveOpts): Promise<number> {
  const { predictConfig } = await import('../kconfig/predict.js');
  const { renderCheckReport } = await import('../kconfig/check.js');
  const sel = treeSelection(opts);
  const p = await predictConfig({
    kernel: opts.kernel, arch: opts.arch, fragments, targets: opts.target, makeVars: makeVars(opts.makeVar),
    ...(opts.defconfig !== undefined ? { defconfig: opts.defconfig } : {}),
    ...(opts.base !== undefined ? { base: opts.base } : {}),
    ...(opts.allconfig !== undefined ? { allconfig: opts.allconfig } : {}),
    ...(opts.probes !== undefined ? { probes: opts.probes } : {}),
    ...(sel.cc !== undefined ? { cc: sel.cc } : {}),
    ...(sel.crossCompile !== undefined ? { crossCompile: sel.crossCompile } : {}),
    ...(sel.cache ? {} : { cacheDir: false as const }),
    verifyFixes: opts.proveFixes, onProgress: (m) => log.verbose(m),
  });
  if (opts.output !== undefined) {
    const { writeFileAtomic } = await import('../core/fs-atomic.js');
    await writeFileAtomic(opts.output, p.dotconfig);
  }
  for (const s of p.steps) log.verbose(`kconfig: ${s}`);
  if (p.probed.length > 0) log.warn(`${p.probed.length} value(s) taken from the probe table ${opts.probes}: ${p.probed.map((n) => `CONFIG_${n}`).join(', ')}`);
  if (opts.json) {
    printJson({
      ok: p.ok, arch: p.arch, steps: p.steps, ...(opts.output !== undefined ? { output: opts.output } : { dotconfig: p.dotconfig }),
      probed: p.probed, sticking: p.sticking, nonSticking: p.nonSticking,
      checks: p.checks.map((c) => ({ ...c, errors: c.errors.map(diagnosticToJson), warnings: c.warnings.map(diagnosticToJson) })),
      symbols: p.symbols(),
    });
    return p.ok ? ExitCode.ok : ExitCode.checkFailed;
  }
  const report = p.checks.map(renderCheckReport).join('');
  for (const c of p.checks) for (const w of c.warnings) log.warning(renderDiagnostic(w));
  if (opts.output === undefined) {
    process.stdout.write(p.dotconfig);
    if (report) process.stderr.write(report);
  } else process.stdout.write(report);
  log.info(`kconfig: resolved ${opts.arch} .config (${p.steps.join('; ')}); ${p.sticking.length} fragment line(s) stick, ${p.nonSticking.length} do not`);
  return p.ok ? ExitCode.ok : ExitCode.checkFailed;
}
