/**
 * The checks of the `kernel:` section, and of the targets that build against it, that a schema cannot express.
 * Each problem is reported at its manifest position through `bad` (the loader's reporter).
 */
import * as path from 'node:path';
import type { FailureCode } from '../core/errors.js';
import type { KernelArtifact } from './types.js';

/** The `kernel:` section as the YAML gave it (after the schema). */
export interface RawKernel {
  source: string;
  arch: string;
  crossCompile?: string;
  defconfig?: string;
  config?: string;
  fragment?: string;
  fragments?: string[];
  unknownSymbols?: 'error' | 'warn';
  allowUnknown?: string[];
  allowMismatch?: string[];
  build?: 'modules_prepare' | 'full';
  artifacts?: KernelArtifact[];
  signingKey?: string;
}

type Bad = (code: FailureCode, segs: (string | number)[], message: string, hint: string, value?: string) => void;

interface RawKernelTarget {
  kernel?: boolean;
  modules?: string[];
  sources?: string[];
}

const NEEDS_FULL = new Set(['image', 'vmlinux', 'dtbs', 'modules', 'symvers']);

function relInside(p: string): boolean {
  return !path.posix.isAbsolute(p) && !p.split('/').includes('..');
}

function kernelSection(k: RawKernel, bad: Bad): void {
  if (k.defconfig !== undefined && k.config !== undefined) {
    bad('manifest.several-bases', ['kernel', 'config'], 'kernel has both "defconfig" and "config"', 'keep one base: a make target (defconfig: tinyconfig) or a full config file (config: configs/base.config)');
  }
  const seen = new Set<string>();
  const all = [...(k.fragment !== undefined ? [k.fragment] : []), ...(k.fragments ?? [])];
  all.forEach((f) => {
    if (seen.has(f)) {
      const i = (k.fragments ?? []).lastIndexOf(f);
      bad('manifest.duplicate-fragment', i >= 0 ? ['kernel', 'fragments', i] : ['kernel', 'fragment'], `the fragment ${f} is listed twice`, 'list each fragment once (later fragments override earlier ones)', f);
    }
    seen.add(f);
  });
  if ((k.build ?? 'modules_prepare') === 'modules_prepare') {
    (k.artifacts ?? []).forEach((a, i) => {
      if (NEEDS_FULL.has(a)) bad('manifest.kernel-artifact-needs-full', ['kernel', 'artifacts', i], `the kernel artifact "${a}" needs the full kernel build`, 'add `build: full` under kernel:, or drop the artifact (modules_prepare makes only what out-of-tree modules need)', a);
    });
  }
  for (const key of ['allowUnknown', 'allowMismatch'] as const) {
    (k[key] ?? []).forEach((n, i) => {
      if (!/^(CONFIG_)?[A-Za-z0-9_]+$/.test(n)) bad('manifest.invalid-symbol', ['kernel', key, i], `"${n}" is not a Kconfig symbol name`, 'write it as CONFIG_NAME or NAME', n);
    });
  }
}

/** The module signing key named as a source a target or component extracts (it is mounted only where it signs). */
export function signingKeyAsSource(bad: Bad, segs: (string | number)[], s: string): void {
  bad('manifest.signing-key-in-target', segs, `the module signing key "${s}" is only mounted for the steps that sign`, 'drop it from sources: the kernel\'s steps and the modules: of a target are signed with it', s);
}

/** Failures of the kernel section and of kernel-using targets. */
export function kernelFailures(k: RawKernel | undefined, targets: [string, RawKernelTarget][], names: Set<string>, bad: Bad): void {
  if (k) kernelSection(k, bad);
  for (const [t, spec] of targets) {
    const uses = spec.kernel === true || (spec.modules ?? []).length > 0;
    if (uses && !k) {
      bad('manifest.no-kernel', ['build', 'targets', t, spec.modules?.length ? 'modules' : 'kernel'], `target ${t} builds against the kernel, but the manifest has no kernel: section`, 'add kernel: (source, arch, defconfig, fragments), or drop kernel/modules from the target');
    }
    spec.modules?.forEach((p, i) => {
      if (!relInside(p)) bad('manifest.path-escape', ['build', 'targets', t, 'modules', i], 'a module folder must be relative to the build tree and stay inside it', 'write it relative to build.workdir, without leading / or ..', p);
    });
    spec.sources?.forEach((s, i) => {
      if (!names.has(s)) bad('manifest.unknown-source', ['build', 'targets', t, 'sources', i], `build.targets.${t}.sources names no source: "${s}"`, `use one of: ${[...names].join(', ')}`, s);
      else if (k?.signingKey !== undefined && s === k.signingKey) signingKeyAsSource(bad, ['build', 'targets', t, 'sources', i], s);
      else if (k && s === k.source) bad('manifest.kernel-source-in-target', ['build', 'targets', t, 'sources', i], `the kernel source "${s}" is built in its own stage`, 'drop it from sources and set `kernel: true` on the target: $KDIR points at the configured kernel tree', s);
    });
  }
}
