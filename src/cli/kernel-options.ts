/**
 * The kernel-tree option group every `kconfig` command takes: `--kernel`, `--arch`, `--cc`, `--cross-compile`,
 * `--no-cache`, with one wording, and the conversion of the parsed options to what the kconfig modules take.
 */
import type { Command } from 'commander';

export interface KernelOptionsSpec {
  /** `--kernel` is required (else optional, e.g. `check` without explanations). */
  kernelRequired: boolean;
  /** `--arch` is required (else it defaults to the `.config` header). */
  archRequired: boolean;
  /** What `--kernel` is for, when optional. */
  kernelPurpose?: string;
  /** What happens to compiler probes when neither `--cc` nor `--cross-compile` is given. */
  withoutCompiler: string;
}

/** The parsed options of the group (commander's camel-case names). */
export interface KernelOpts {
  kernel?: string;
  arch?: string;
  cc?: string;
  crossCompile?: string;
  /** `--no-cache` sets it false. */
  cache: boolean;
}

const KERNEL_HELP = 'kernel source folder, or tarball read without extracting (tar, .gz, .xz, .bz2, .zst)';
const ARCH_HELP = 'ARCH as for the kernel make (arm64, x86_64, x86, arm, riscv, ...)';

/** Add the group to a command. */
export function addKernelOptions(cmd: Command, spec: KernelOptionsSpec): Command {
  const kernel = spec.kernelPurpose ? `${KERNEL_HELP}: ${spec.kernelPurpose}` : KERNEL_HELP;
  if (spec.kernelRequired) cmd.requiredOption('--kernel <path>', kernel);
  else cmd.option('--kernel <path>', kernel);
  if (spec.archRequired) cmd.requiredOption('--arch <arch>', ARCH_HELP);
  else cmd.option('--arch <arch>', `${ARCH_HELP} (default: from the .config header)`);
  return cmd
    .option('--cc <cc>', `C compiler for the Kconfig probes ($(cc-option,...), ...); default: ${spec.withoutCompiler}`)
    .option('--cross-compile <prefix>', 'toolchain prefix, e.g. aarch64-linux-gnu- (CC, LD, ... = prefix + tool)')
    .option('--no-cache', 'do not read or write the parse cache (~/.cache/tarsmith/kconfig)');
}

/** The tree selection as the kconfig modules take it (only the options that were given). */
export function treeSelection(o: KernelOpts): { arch?: string; cc?: string; crossCompile?: string; cache: boolean } {
  return {
    ...(o.arch !== undefined ? { arch: o.arch } : {}),
    ...(o.cc !== undefined ? { cc: o.cc } : {}),
    ...(o.crossCompile !== undefined ? { crossCompile: o.crossCompile } : {}),
    cache: o.cache !== false,
  };
}
