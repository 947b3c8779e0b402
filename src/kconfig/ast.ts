/**
 * The Kconfig AST and symbol table, as produced by `loadKconfig()` (see `tree.ts`) and read by evaluation,
 * `check`, `explain` and `filter`.
 *
 * The tree mirrors the kernel's own menu tree (`scripts/kconfig/menu.c`): every `config`, `menuconfig`, `choice`,
 * `menu`, `comment` and `if` block is an entry with its own properties exactly as written (conditions not merged),
 * plus `inherited`: the conjunction of the conditions of every enclosing `if`, `menu … depends on` and `choice …
 * depends on`, which the kernel ANDs into each entry's prompts, defaults, selects and ranges. `visibleIf` is the
 * conjunction of the enclosing menus' `visible if`. Tristate constants `n`, `m`, `y` are kept as three values
 * (0, 1, 2), never booleans.
 */
import type { Failure, SourceLocation } from '../core/errors.js';

/** Tristate value: 0 = n, 1 = m, 2 = y. */
export type Tristate = 0 | 1 | 2;
export const TRISTATE_NAMES = ['n', 'm', 'y'] as const;

export type SymbolType = 'bool' | 'tristate' | 'string' | 'hex' | 'int';

/** A position in a Kconfig file: `file` relative to the kernel source tree (srctree), 1-based line. */
export interface Loc {
  file: string;
  line: number;
}

/** A comparison operator between two operands. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * An operand of a comparison, or a leaf of an expression:
 * - `tri`: the constant words `n`, `m`, `y`;
 * - `sym`: any other unquoted word (a symbol name; numbers such as `0x10` or `64` are words too, and the kernel
 *   treats a word that names no defined symbol as a constant whose value is its own text);
 * - `str`: a quoted string constant;
 * - `unknown`: a value that came from a macro we could not evaluate (e.g. `$(cc-option,…)` without a toolchain);
 *   `text` is the macro call as written.
 */
export type Operand =
  | { kind: 'tri'; value: Tristate }
  | { kind: 'sym'; name: string }
  | { kind: 'str'; value: string }
  | { kind: 'unknown'; text: string };

/** An expression tree. Precedence when parsing: `||` < `&&` < `=`/`!=` < `<`/`<=`/`>`/`>=` < `!`. */
export type Expr =
  | Operand
  | { kind: 'not'; arg: Expr }
  | { kind: 'and'; left: Expr; right: Expr }
  | { kind: 'or'; left: Expr; right: Expr }
  | { kind: 'cmp'; op: CompareOp; left: Operand; right: Operand };

/** `prompt "text" [if cond]`, or the prompt given with a type (`bool "text" if cond`) or with `menu`/`comment`. */
export interface Prompt {
  text: string;
  cond?: Expr;
  loc: Loc;
}

/** `default value [if cond]`, `def_bool value [if cond]`, `def_tristate value [if cond]`. */
export interface Default {
  value: Expr;
  cond?: Expr;
  loc: Loc;
}

/** `select SYM [if cond]` / `imply SYM [if cond]`. */
export interface ReverseDep {
  target: string;
  cond?: Expr;
  loc: Loc;
}

/** `range min max [if cond]`. */
export interface Range {
  min: Operand;
  max: Operand;
  cond?: Expr;
  loc: Loc;
}

/** `depends on expr [if cond]`: `expr` as written and, when present, the `if` guard (meaning `cond → expr`). */
export interface DependsOn {
  expr: Expr;
  cond?: Expr;
  loc: Loc;
}

interface EntryBase {
  loc: Loc;
  /** The conditions of every enclosing `if`, `menu`'s `depends on` and `choice`'s `depends on`, ANDed. */
  inherited?: Expr;
  /** The `visible if` conditions of every enclosing menu, ANDed. */
  visibleIf?: Expr;
  /** Index into `KconfigTree.choices` when the entry is inside a `choice` block (directly or through `if`). */
  choice?: number;
}

/** One `config` / `menuconfig` block: one definition of a symbol (a symbol may have several). */
export interface ConfigEntry extends EntryBase {
  kind: 'config';
  name: string;
  menuconfig: boolean;
  /** The type as written in this block (`bool`, `def_tristate`, …), if any. */
  type?: SymbolType;
  prompts: Prompt[];
  defaults: Default[];
  dependsOn: DependsOn[];
  selects: ReverseDep[];
  implies: ReverseDep[];
  ranges: Range[];
  /** `modules`: this symbol is the modules switch (MODULES). */
  modules: boolean;
  /** `transitional` (6.18+): only read from old configs, never written, never visible. */
  transitional: boolean;
  help?: string;
}

export interface ChoiceEntry extends EntryBase {
  kind: 'choice';
  /** Index in `KconfigTree.choices`. */
  index: number;
  /** Choices may be named (`choice NAME`). */
  name?: string;
  type?: SymbolType;
  prompts: Prompt[];
  defaults: Default[];
  dependsOn: DependsOn[];
  /** `optional` (kernels before 6.10). */
  optional: boolean;
  help?: string;
  children: Entry[];
}

export interface MenuEntry extends EntryBase {
  kind: 'menu';
  prompt: Prompt;
  dependsOn: DependsOn[];
  /** `visible if` conditions of this menu (its own, not inherited). */
  visible: Expr[];
  children: Entry[];
}

export interface CommentEntry extends EntryBase {
  kind: 'comment';
  prompt: Prompt;
  dependsOn: DependsOn[];
}

export interface IfEntry extends EntryBase {
  kind: 'if';
  cond: Expr;
  children: Entry[];
}

export type Entry = ConfigEntry | ChoiceEntry | MenuEntry | CommentEntry | IfEntry;

/** A symbol with all its definitions. */
export interface KSymbol {
  name: string;
  /** The type from the first definition that gives one; undefined if no definition gives one. */
  type?: SymbolType;
  /** Every `config`/`menuconfig` block defining it, in parse order. */
  defs: ConfigEntry[];
  /** Every `select NAME` naming this symbol, with the selecting symbol. */
  selectedBy: { from: string; dep: ReverseDep; entry: ConfigEntry }[];
  /** Every `imply NAME` naming this symbol, with the implying symbol. */
  impliedBy: { from: string; dep: ReverseDep; entry: ConfigEntry }[];
}

/** A parse or macro diagnostic (never thrown). `where` is always set. */
export type Diagnostic = Failure & { severity: 'error' | 'warning' | 'info'; where: SourceLocation };

export interface KconfigTree {
  /** `mainmenu` text, if any. */
  mainmenu?: string;
  /** The top-level entries (the implicit root menu's children). */
  entries: Entry[];
  /** Every symbol that has at least one definition, keyed by name, in the order of their first definition. */
  symbols: Map<string, KSymbol>;
  choices: ChoiceEntry[];
  /** Every Kconfig file read, relative to srctree, in the order they were sourced. */
  files: string[];
  diagnostics: Diagnostic[];
  /** `ARCH` / `SRCARCH` the tree was parsed for. */
  arch: string;
  srcarch: string;
  /**
   * For a tree read from a tarball: the files `kconfig resolve` needs (`arch/$SRCARCH/Makefile`,
   * `arch/$SRCARCH/configs/*`, `kernel/configs/*`), by path. A folder's are read from disk.
   */
  configFiles?: Record<string, string>;
  /** Macro calls whose value is unknown (shell / compiler probes without a toolchain), with where they occurred. */
  unknownMacros: { text: string; loc: Loc }[];
}
