/**
 * The kernel's config targets, as `scripts/kconfig/Makefile` and `merge_config.sh` define them:
 * - `defconfig` is the arch's `KBUILD_DEFCONFIG` (from `arch/$SRCARCH/Makefile`, default `defconfig`): a file
 *   under `arch/$SRCARCH/configs/`, or else another make target;
 * - `NAME_defconfig` is `arch/$SRCARCH/configs/NAME_defconfig`;
 * - `NAME.config` merges `kernel/configs/NAME.config` and `arch/$SRCARCH/configs/NAME.config` (those that exist)
 *   into the current `.config` and runs olddefconfig;
 * - `allnoconfig`, `allyesconfig`, `allmodconfig`, `alldefconfig` (with `KCONFIG_ALLCONFIG`), and `tinyconfig`
 *   (allnoconfig seeded with `kernel/configs/tiny-base.config`, then `tiny.config`).
 *
 * `mergeFragment` is `merge_config.sh -m` for one fragment, line for line: every line of the current text that
 * sets a symbol the fragment sets is deleted, then a blank line and the whole fragment are appended.
 */

import type { Origin } from './origins.js';

export type AllMode = 'allnoconfig' | 'allyesconfig' | 'allmodconfig' | 'alldefconfig';

export type ConfigTarget =
  | { kind: 'defconfig' }
  | { kind: 'file-defconfig'; name: string }
  | { kind: 'all'; mode: AllMode }
  | { kind: 'tinyconfig' }
  | { kind: 'fragment-target'; name: string };

const ALL_MODES: readonly string[] = ['allnoconfig', 'allyesconfig', 'allmodconfig', 'alldefconfig'];

/** What a make config target name means, or undefined when it is not one this engine runs. */
export function parseTarget(name: string): ConfigTarget | undefined {
  if (name === 'defconfig') return { kind: 'defconfig' };
  if (ALL_MODES.includes(name)) return { kind: 'all', mode: name as AllMode };
  if (name === 'tinyconfig') return { kind: 'tinyconfig' };
  if (!/^[A-Za-z0-9_.+-]+$/.test(name)) return undefined;
  if (name.endsWith('_defconfig')) return { kind: 'file-defconfig', name };
  if (name.endsWith('.config')) return { kind: 'fragment-target', name };
  return undefined;
}

/** Variables a config-time arch Makefile may test (`ifeq ($(ARCH),x86)`). */
export type MakeVars = Readonly<Record<string, string>>;

function substitute(text: string, vars: MakeVars): string | undefined {
  let unknown = false;
  const out = text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\([^)]*\)?/g, (all, name: string | undefined) => {
    if (name !== undefined && Object.hasOwn(vars, name)) return vars[name] as string;
    unknown = true;
    return all;
  });
  return unknown ? undefined : out.trim();
}

/** `ifeq (A,B)` / `ifneq (A,B)` with known variables: true/false, or undefined when it cannot be told. */
function condition(line: string, vars: MakeVars): boolean | undefined {
  const m = /^(ifeq|ifneq)\s*\((.*)\)\s*$/.exec(line);
  if (!m) return undefined;
  const args = m[2] as string;
  const comma = args.indexOf(',');
  if (comma < 0) return undefined;
  const a = substitute(args.slice(0, comma), vars);
  const b = substitute(args.slice(comma + 1), vars);
  if (a === undefined || b === undefined) return undefined;
  return m[1] === 'ifeq' ? a === b : a !== b;
}

export type DefconfigName = { ok: true; name: string } | { ok: false; why: string };

/**
 * `KBUILD_DEFCONFIG` from an arch Makefile (undefined text: the default `defconfig`). Follows `ifeq`/`ifneq`/
 * `else`/`endif` on the given variables; an assignment under a condition it cannot evaluate (`$(shell uname -m)`)
 * is reported instead of guessed.
 */
export function kbuildDefconfig(makefile: string | undefined, vars: MakeVars): DefconfigName {
  let value: DefconfigName = { ok: true, name: 'defconfig' };
  const stack: (boolean | undefined)[] = [];
  const active = (): boolean | undefined => (stack.includes(false) ? false : stack.includes(undefined) ? undefined : true);
  for (const raw of (makefile ?? '').split('\n')) {
    const line = raw.trim();
    if (/^if(n?eq|n?def)\b/.test(line)) stack.push(condition(line, vars));
    else if (/^else\b/.test(line)) {
      const top = stack.pop();
      const rest = line.slice(4).trim();
      stack.push(rest ? (top === false ? condition(rest, vars) : top === undefined ? undefined : false) : top === undefined ? undefined : !top);
    } else if (/^endif\b/.test(line)) stack.pop();
    else {
      const m = /^KBUILD_DEFCONFIG\s*(:=|\?=|=)\s*(.*)$/.exec(line);
      if (!m) continue;
      const on = active();
      if (on === false || (m[1] === '?=' && value.name !== 'defconfig')) continue;
      const name = substitute(m[2] as string, vars);
      if (on === undefined || name === undefined) return { ok: false, why: `KBUILD_DEFCONFIG depends on the build host: ${line}` };
      value = { ok: true, name };
    }
  }
  return value;
}

/** One line of a merged config and where it came from. */
export interface MergedLine {
  text: string;
  file: string;
  line: number;
  /** For a line an earlier step wrote: where its value came from there (a defconfig line, a default, …). */
  origin?: Origin;
}

const wordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

/** `grep -w CFG`: CFG appears with no word character on either side. */
function hasWord(text: string, word: string): boolean {
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
    if (!wordChar(text[i - 1]) && !wordChar(text[i + word.length])) return true;
  }
  return false;
}

/** The `CONFIG_X` names a fragment sets, in order, as merge_config.sh's two sed expressions find them. */
function fragmentNames(lines: readonly MergedLine[]): string[] {
  const out: string[] = [];
  for (const { text } of lines) {
    const m = /^(CONFIG_[a-zA-Z0-9_]*)=/.exec(text) ?? /^# (CONFIG_[a-zA-Z0-9_]*) is not set$/.exec(text);
    if (m) out.push(m[1] as string);
  }
  return out;
}

/** Split a file's text into lines with their origin (a missing final newline is no extra line). */
export function linesOf(text: string, file: string): MergedLine[] {
  const rows = text.split('\n');
  if (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
  return rows.map((t, i) => ({ text: t, file, line: i + 1 }));
}

/** `merge_config.sh -m`, one fragment: delete the lines it redefines, append a blank line and the fragment. */
export function mergeFragment(current: readonly MergedLine[], fragment: readonly MergedLine[]): MergedLine[] {
  let out = [...current];
  for (const cfg of fragmentNames(fragment)) {
    if (!out.some((l) => hasWord(l.text, cfg))) continue;
    out = out.filter((l) => !l.text.includes(`${cfg} `) && !l.text.includes(`${cfg}=`));
  }
  return [...out, { text: '', file: '<merge>', line: 0 }, ...fragment];
}

/** The merged text, as the file the kernel's olddefconfig then reads. */
export function mergedText(lines: readonly MergedLine[]): string {
  return lines.map((l) => `${l.text}\n`).join('');
}
