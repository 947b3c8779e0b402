/**
 * The kernel config check, on the host, between the config stage and the compile: the resolved `.config` the
 * kernel's own merge_config.sh + olddefconfig produced is checked against every fragment line with tarsmith's
 * checker, and every value that did not stick is explained from the real tree (unknown symbol with the nearest
 * names; capped by a dependency with the dependency's value and the line that would fix it). The manifest's
 * policy decides which of them may be dropped (and are recorded) and which stop the build before compiling.
 */
import { ExitCode, type Diagnostic, type Failure } from '../core/errors.js';
import { checkFragment, type Explanation, type TreeKnowledge } from '../kconfig/check.js';
import type { DotConfig } from '../kconfig/dotconfig.js';
import type { ParsedConfig } from '../kconfig/fragment.js';
import { SIGNING_KEY_PATH, type KernelSpec } from '../manifest/types.js';

export type EntryReason = 'unknown-symbol' | 'not-applied';

export interface KernelConfigEntry {
  /** The fragment (as written in the manifest) and line that asked for the value. */
  fragment: string;
  line: number;
  name: string;
  expected: string;
  actual: string;
  reason: EntryReason;
  why?: Explanation;
  /** Set when the manifest's policy allowed the line to be dropped: which setting allowed it. */
  allowedBy?: 'allowUnknown' | 'allowMismatch' | 'unknownSymbols';
}

export interface KernelConfigReport {
  ok: boolean;
  arch: string;
  fragments: string[];
  /** Effective fragment lines checked. */
  checked: number;
  /** Lines that did not stick and the policy allowed: the build goes on, the record lists them. */
  dropped: KernelConfigEntry[];
  /** Lines that did not stick and nothing allowed: the build stops before compiling. */
  failed: KernelConfigEntry[];
  /** Malformed fragment lines, policy entries that match nothing, ... */
  warnings: string[];
  errors: Failure[];
}

export interface FragmentInput {
  /** As written in the manifest. */
  path: string;
  parsed: ParsedConfig;
}

/** Each fragment's effective lines: a symbol set again by a later fragment is checked there, not here. */
function effective(fragments: readonly FragmentInput[]): ParsedConfig[] {
  return fragments.map((f, i) => {
    const later = new Set(fragments.slice(i + 1).flatMap((g) => [...g.parsed.byName.keys()]));
    const byName = new Map([...f.parsed.byName].filter(([n]) => !later.has(n)));
    return { ...f.parsed, file: f.path, byName };
  });
}

function classify(k: KernelSpec, e: KernelConfigEntry): KernelConfigEntry {
  if (e.reason === 'unknown-symbol') {
    if (k.allowUnknown.includes(e.name)) return { ...e, allowedBy: 'allowUnknown' };
    if (k.allowMismatch.includes(e.name)) return { ...e, allowedBy: 'allowMismatch' };
    if (k.unknownSymbols === 'warn') return { ...e, allowedBy: 'unknownSymbols' };
    return e;
  }
  return k.allowMismatch.includes(e.name) ? { ...e, allowedBy: 'allowMismatch' } : e;
}

/**
 * Check the resolved config against the fragments. `tree` is loaded only when something did not stick or a line
 * may name a symbol the tree lacks (a `# CONFIG_X is not set` of an absent symbol).
 */
export async function checkKernelConfig(
  k: KernelSpec,
  fragments: readonly FragmentInput[],
  config: DotConfig,
  tree: () => Promise<TreeKnowledge>,
): Promise<KernelConfigReport> {
  const parts = effective(fragments);
  const quick = parts.map((p) => checkFragment(p, config));
  const needTree = quick.some((r) => r.mismatches.length > 0 || r.warnings.some((w) => w.code === 'kconfig.no-op-line'));
  const t = needTree ? await tree() : undefined;
  const reports = t ? parts.map((p) => checkFragment(p, config, t)) : quick;
  const entries: KernelConfigEntry[] = [];
  const warnings: string[] = [];
  const errors: Failure[] = [];
  reports.forEach((r, i) => {
    const file = parts[i]?.file ?? '';
    errors.push(...r.errors);
    for (const m of r.mismatches) {
      const unknown = t !== undefined && !t.defines(m.name);
      entries.push({ fragment: file, line: m.line, name: m.name, expected: m.expected, actual: m.actual, reason: unknown ? 'unknown-symbol' : 'not-applied', ...(m.explanation ? { why: m.explanation } : {}) });
    }
    for (const w of r.warnings) {
      const req = w.code === 'kconfig.no-op-line' ? [...(parts[i]?.byName.values() ?? [])].find((l) => l.line === w.where?.line) : undefined;
      if (req && t && !t.defines(req.name)) {
        const why = t.explain(req, { state: 'absent' });
        entries.push({ fragment: file, line: req.line, name: req.name, expected: req.text, actual: '<missing>', reason: 'unknown-symbol', why });
      } else if (w.code !== 'kconfig.no-op-line') warnings.push(`${file}${w.where?.line ? `:${w.where.line}` : ''}: ${w.message}`);
    }
  });
  const classified = entries.sort((a, b) => fragments.findIndex((f) => f.path === a.fragment) - fragments.findIndex((f) => f.path === b.fragment) || a.line - b.line).map((e) => classify(k, e));
  for (const [key, names] of [['allowUnknown', k.allowUnknown], ['allowMismatch', k.allowMismatch]] as const) {
    for (const n of names) {
      if (!classified.some((e) => e.name === n && e.allowedBy === key)) warnings.push(`kernel.${key} lists CONFIG_${n}, but no fragment line for it was dropped: remove it from the list`);
    }
  }
  const failed = classified.filter((e) => e.allowedBy === undefined);
  return {
    ok: failed.length === 0 && errors.length === 0,
    arch: k.arch,
    fragments: fragments.map((f) => f.path),
    checked: reports.reduce((n, r) => n + r.checked, 0),
    dropped: classified.filter((e) => e.allowedBy !== undefined),
    failed,
    warnings,
    errors,
  };
}

function entryLines(e: KernelConfigEntry): string[] {
  const out = [`${e.fragment}:${e.line}: ${e.expected}`, `  actual:   ${e.actual}`];
  if (e.why) {
    out.push(`  why:      ${e.why.reason}`);
    for (const d of e.why.details) out.push(`            ${d}`);
    if (e.why.fix) out.push(`  fix:      ${e.why.fix}`);
  }
  return out;
}

/** The failure that stops the build before compiling, in the words of Yocto's config audit, with the why. */
export function configFailure(r: KernelConfigReport, where: Failure['where']): Failure {
  const n = r.failed.length;
  const unknown = r.failed.filter((e) => e.reason === 'unknown-symbol').map((e) => `CONFIG_${e.name}`);
  const other = r.failed.filter((e) => e.reason !== 'unknown-symbol').map((e) => `CONFIG_${e.name}`);
  const allow = [
    ...(unknown.length ? [`kernel.allowUnknown: [${unknown.join(', ')}] (symbols this kernel does not have)`] : []),
    ...(other.length ? [`kernel.allowMismatch: [${other.join(', ')}]`] : []),
  ];
  return {
    code: 'kernel.config-mismatch',
    message: `${n} specified value${n === 1 ? '' : 's'} did not make it into the kernel's final configuration (checked before compiling: nothing was compiled)`,
    exit: ExitCode.checkFailed,
    ...(where ? { where } : {}),
    details: [...r.failed.flatMap(entryLines), ...r.errors.map((e) => `${e.where?.file ?? ''}:${e.where?.line ?? ''}: ${e.message}`)],
    hint: `apply the fixes above in the fragments; or, if the build may go on without these lines, allow them: ${allow.join('; ') || 'fix the malformed fragment lines'}`,
  };
}

/** One warning per dropped entry, at its fragment line, for the log (rendered by the one renderer). */
export function droppedWarnings(r: KernelConfigReport): Diagnostic[] {
  return r.dropped.map((e) => ({
    severity: 'warning',
    code: 'kernel.line-dropped',
    exit: ExitCode.ok,
    where: { file: e.fragment, line: e.line },
    message: `dropped ${e.expected} (${e.why?.reason ?? e.reason}; allowed by kernel.${e.allowedBy === 'unknownSymbols' ? 'unknownSymbols: warn' : e.allowedBy})`,
  }));
}

/** What else in the resolved config stops a build before compiling: modules needed but disabled, an ephemeral signing key. */
export function configPreflight(k: KernelSpec, config: DotConfig, needsModules: boolean, where: Failure['where']): Failure[] {
  const out: Failure[] = [];
  const isY = (n: string) => {
    const f = config.fact(n);
    return f.state === 'set' && f.value.kind === 'tristate' && f.value.value === 'y';
  };
  const at = where ? { where } : {};
  if (needsModules && !isY('MODULES')) {
    out.push({
      code: 'kernel.modules-disabled', exit: ExitCode.checkFailed, ...at,
      message: 'the target builds kernel modules, but the resolved kernel config has CONFIG_MODULES disabled (checked before compiling)',
      hint: 'add CONFIG_MODULES=y to a kernel fragment',
    });
  }
  const key = config.fact('MODULE_SIG_KEY');
  const keyText = key.state === 'set' && key.value.kind === 'string' ? key.value.value : 'certs/signing_key.pem';
  if (k.signingKey !== undefined) {
    if (!isY('MODULE_SIG')) {
      out.push({
        code: 'kernel.signing-key-unused', exit: ExitCode.checkFailed, ...at,
        message: `kernel.signingKey names the key "${k.signingKey}", but the resolved kernel config has module signing off (CONFIG_MODULE_SIG is not set)`,
        hint: 'add CONFIG_MODULE_SIG=y (and CONFIG_MODULE_SIG_ALL=y to sign the kernel\'s own modules) to a kernel fragment, or drop kernel.signingKey',
      });
    } else if (keyText !== SIGNING_KEY_PATH) {
      out.push({
        code: 'kernel.signing-key-path', exit: ExitCode.checkFailed, ...at,
        message: `the resolved kernel config signs modules with CONFIG_MODULE_SIG_KEY="${keyText}", not with the declared key "${k.signingKey}" (mounted at ${SIGNING_KEY_PATH})`,
        value: `CONFIG_MODULE_SIG_KEY="${keyText}"`,
        hint: `add CONFIG_MODULE_SIG_KEY="${SIGNING_KEY_PATH}" to a kernel fragment: the declared key (kernel.signingKey) is mounted there for the steps that sign`,
      });
    }
  } else if (isY('MODULE_SIG') && keyText === 'certs/signing_key.pem') {
    out.push({
      code: 'kernel.ephemeral-signing-key', exit: ExitCode.checkFailed, ...at,
      message: 'module signing is on with the kernel\'s default key, which the build generates afresh every time: no two builds would give the same .ko bytes',
      value: `CONFIG_MODULE_SIG_KEY="${keyText}"`,
      hint: 'declare your persistent key as a private plain-file source and name it in kernel.signingKey (with CONFIG_MODULE_SIG_KEY="' + SIGNING_KEY_PATH + '" in a fragment), or add "# CONFIG_MODULE_SIG is not set" to a kernel fragment',
    });
  }
  return out;
}
