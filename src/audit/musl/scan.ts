/**
 * One file of the musl audit: tokenize, follow the preprocessor conditions, and match the rules. A construct in a
 * branch that musl never compiles (but glibc may) is `guarded`; one that musl may compile is a finding.
 * Branches compiled by neither (`#if 0`, `#ifdef _WIN32`) are skipped.
 */
import { ConditionTracker, type BranchCondition, type Region } from '../../lang/cpp/conditions.js';
import { KIND_CODE, tokenize, TokenSubset, type Token, type Tokenized } from '../../lang/cpp/tokenizer.js';
import { GLIBC_PREREQ_MACROS, glibcEnv, muslEnv } from './env.js';
import { HEADER_RULES, ruleById, type MuslRuleId } from './rules.js';
import { structuralChecks, type FileScan as StructuralScan } from './structural.js';

export interface MuslHit {
  file: string;
  line: number;
  col: number;
  rule: MuslRuleId;
  /** The construct as written. */
  construct: string;
  why: string;
  fix: string;
  /** Findings: the enclosing conditions that musl may take, e.g. an `#ifdef __linux__` that assumes glibc. */
  note?: string;
  /** Guarded: the directive that keeps musl away from it. */
  guard?: { line: number; text: string };
}

export interface FileResult {
  findings: MuslHit[];
  guarded: MuslHit[];
}


/** Identifier rules: the name, its rule, and whether only a call (`name(`) counts. */
interface IdentRule {
  rule: MuslRuleId;
  call: boolean;
}
const CONDITIONALS = new Set(['if', 'ifdef', 'ifndef', 'elif', 'elifdef', 'elifndef', 'else', 'endif', 'undef']);
const TOP_REGION: Region = { target: 'true', reference: 'true', conditions: [] };

const IDENT_RULES: ReadonlyMap<string, IdentRule> = new Map<string, IdentRule>([
  ...['backtrace', 'backtrace_symbols', 'backtrace_symbols_fd'].map((n) => [n, { rule: 'backtrace', call: true }] as const),
  ...['mallinfo', 'mallinfo2'].map((n) => [n, { rule: 'mallinfo', call: true }] as const),
  ...['__malloc_hook', '__free_hook', '__realloc_hook', '__memalign_hook', '__after_morecore_hook', '__malloc_initialize_hook'].map(
    (n) => [n, { rule: 'malloc-hooks', call: false }] as const,
  ),
  ...['register_printf_function', 'register_printf_specifier', 'register_printf_modifier', 'register_printf_type'].map(
    (n) => [n, { rule: 'register-printf-function', call: true }] as const,
  ),
  ['qsort_r', { rule: 'qsort-r', call: true }],
  ['RTLD_DEEPBIND', { rule: 'rtld-deepbind', call: false }],
  ['gnu_get_libc_version', { rule: 'gnu-get-libc-version', call: true }],
  ['gnu_get_libc_release', { rule: 'gnu-get-libc-version', call: true }],
  ['dlvsym', { rule: 'symver', call: true }],
  ['__BEGIN_DECLS', { rule: 'begin-decls', call: false }],
  ['__END_DECLS', { rule: 'begin-decls', call: false }],
  ['__THROW', { rule: 'begin-decls', call: false }],
]);

/** Cheap test: can this text hold anything a rule looks for? Files without a hit are not tokenized. */
export const MUSL_TRIGGERS =
  /<(?:execinfo|error|fts|obstack|argp|printf|gnu\/libc-version|fpu_control|sys\/cdefs)\.h>|backtrace|mallinfo|_(?:malloc|free|realloc|memalign|after_morecore|malloc_initialize)_hook|register_printf|qsort_r|strerror_r|optreset|RTLD_DEEPBIND|dlclose|symver|dlvsym|_PREREQ|gnu_get_libc|pthread_create|__BEGIN_DECLS|__END_DECLS|__THROW/;

/** Identifiers the structural checks (musl-structural.ts) start from, and the thread-stack rule's. */
const STRUCTURAL_STARTERS = ['symver', '__symver__', 'optreset', 'dlclose', 'strerror_r'];
const THREAD_NAMES = ['pthread_create', 'pthread_attr_setstacksize'];

/** Bitmap over `length * 256 + first character`: 1 identifier rule, 2 structural check, 4 thread rule. */
let keyTable: Uint8Array | undefined;
function keyOf(len: number, first: number): number {
  return (len < 64 ? len : 63) * 256 + (first & 255);
}
function candidateKeys(): Uint8Array {
  if (keyTable) return keyTable;
  const t = new Uint8Array(64 * 256);
  const mark = (names: Iterable<string>, bit: number): void => {
    for (const n of names) t[keyOf(n.length, n.charCodeAt(0))] = (t[keyOf(n.length, n.charCodeAt(0))] ?? 0) | bit;
  };
  mark(IDENT_RULES.keys(), 1);
  mark(STRUCTURAL_STARTERS, 2);
  mark(THREAD_NAMES, 4);
  return (keyTable = t);
}

const LINUX_MACROS = new Set(['__linux__', '__linux', 'linux', '__gnu_linux__']);

export class FileScan implements StructuralScan {
  readonly result: FileResult = { findings: [], guarded: [] };
  /** Code tokens (directives removed, branches no environment compiles dropped) and, index for index, their regions. */
  readonly code: TokenSubset;
  /** Regions of the code tokens, as runs: `regionList[r]` holds from code index `regionStarts[r]` on. */
  private readonly regionStarts: number[] = [];
  private readonly regionList: Region[] = [];
  /** Tokens inside `#define` bodies (only identifier rules look at them). */
  private readonly defineBodies: Array<{ toks: TokenSubset; region: Region }> = [];
  /** Macros the file defines itself. */
  readonly defines = new Set<string>();
  readonly tracker = new ConditionTracker(muslEnv, glibcEnv);
  private readonly src: Tokenized;

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.src = tokenize(text);
    this.code = new TokenSubset(this.src.tokens, this.src.tokens.length);
  }

  run(): FileResult {
    this.walk();
    const c = this.candidates();
    for (const k of c.ident) this.identRule(this.code, k, this.regionAt(k), true);
    for (const body of this.defineBodies) this.identRules(body.toks, body.region);
    structuralChecks(this, c.structural, c.thread);
    const byPos = (a: MuslHit, b: MuslHit): number => a.line - b.line || a.col - b.col || a.rule.localeCompare(b.rule);
    this.result.findings.sort(byPos);
    this.result.guarded.sort(byPos);
    return this.result;
  }

  /** Split directives from code, feeding the directives to the condition tracker. */
  private walk(): void {
    const toks = this.src.tokens;
    const bols = toks.bols;
    const n = toks.length;
    let i = 0;
    for (const d of [...toks.directives, n]) {
      if (d > i) this.codeRun(i, d);
      if (d >= n) break;
      let j = d + 1;
      while (j < n && bols[j] !== 1) j++;
      this.directive(d, j);
      i = j;
    }
  }

  /** Stream tokens [from, to) are code under the current region. */
  private codeRun(from: number, to: number): void {
    const region = this.tracker.region;
    if (region.target === 'false' && region.reference === 'false') return;
    if (this.regionList[this.regionList.length - 1] !== region) {
      this.regionStarts.push(this.code.length);
      this.regionList.push(region);
    }
    this.code.addRange(from, to);
  }

  /** The region of code token `k`. */
  regionAt(k: number): Region {
    let lo = 0;
    let hi = this.regionStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.regionStarts[mid] ?? 0) <= k) lo = mid;
      else hi = mid - 1;
    }
    return this.regionList[lo] ?? TOP_REGION;
  }

  /** Code tokens worth a closer look, found on length and first character without making strings. */
  private candidates(): { ident: number[]; structural: number[]; thread: number[] } {
    const out = { ident: [] as number[], structural: [] as number[], thread: [] as number[] };
    const { kinds, starts, ends, src } = this.code.stream;
    const idx = this.code.idx;
    const symver = src.includes('.symver');
    const keys = candidateKeys();
    for (let k = 0; k < this.code.length; k++) {
      const si = idx[k] ?? 0;
      const kind = kinds[si];
      if (kind === KIND_CODE.string) {
        if (symver) out.structural.push(k);
        continue;
      }
      if (kind !== KIND_CODE.ident) continue;
      const start = starts[si] ?? 0;
      const bits = keys[keyOf((ends[si] ?? 0) - start, src.charCodeAt(start))] ?? 0;
      if (bits === 0) continue;
      if (bits & 1) out.ident.push(k);
      if (bits & 2) out.structural.push(k);
      if (bits & 4) out.thread.push(k);
    }
    return out;
  }

  /** The directive made of stream tokens [from, to). */
  private directive(from: number, to: number): void {
    const toks = this.src.tokens;
    if (toks.kind(from + 1) !== 'ident') return;
    const name = toks.text(from + 1);
    const region = this.tracker.region;
    const live = region.target !== 'false' || region.reference !== 'false';
    if (name === 'define') return this.define(from, to, region, live);
    if (name === 'include' || name === 'include_next') {
      if (live && to > from + 2) this.include(toks.token(from + 2), region);
      return;
    }
    if (!CONDITIONALS.has(name)) return;
    const d: Token[] = [];
    for (let i = from; i < to; i++) d.push(toks.token(i));
    const last = d[d.length - 1] ?? toks.token(from);
    const text = this.src.text.slice(toks.pos(from), last.pos + last.text.length).replace(/\s+/g, ' ');
    const line = this.src.map.locate(toks.pos(from)).line;
    if (live && (name === 'if' || name === 'elif')) this.prereq(d.slice(2), text, region);
    this.tracker.directive(name, d.slice(2), line, text);
  }

  /** `#define NAME body`: for the tracker (value read lazily) and for the identifier rules (the body). */
  private define(from: number, to: number, region: Region, live: boolean): void {
    const toks = this.src.tokens;
    if (toks.kind(from + 2) !== 'ident') return;
    const name = toks.text(from + 2);
    const fnLike = toks.is(from + 3, '(') && toks.pos(from + 3) === toks.pos(from + 2) + name.length;
    this.tracker.defineDirective(name, fnLike, () => {
      const body: Token[] = [];
      for (let i = from + 3; i < to; i++) body.push(toks.token(i));
      return body;
    });
    if (!live) return;
    this.defines.add(name);
    if (to > from + 3) {
      const body = new TokenSubset(toks, to - from);
      body.addRange(from + 3, to);
      this.defineBodies.push({ toks: body, region });
    }
  }

  private include(h: Token | undefined, region: Region): void {
    if (h?.kind !== 'header') return;
    const rule = HEADER_RULES.get(h.text.slice(1, -1));
    if (rule) this.report(rule.id, h.pos, `#include ${h.text}`, region);
  }

  /** `#if __GLIBC_PREREQ(2,17)` where musl may reach it and nothing defined the macro. */
  private prereq(args: Token[], text: string, region: Region): void {
    for (let k = 0; k < args.length; k++) {
      const t = args[k];
      if (!t || !GLIBC_PREREQ_MACROS.has(t.text) || args[k + 1]?.text !== '(' || args[k - 1]?.text === 'defined') continue;
      const fact = this.tracker.fact('target', t.text);
      if (fact === undefined || fact.defined) continue;
      this.report('glibc-prereq-unguarded', t.pos, text, region);
    }
  }

  /** Identifier rules over a `#define` body. */
  private identRules(list: TokenSubset, region: Region): void {
    for (let k = 0; k < list.length; k++) if (list.kind(k) === 'ident') this.identRule(list, k, region, false);
  }

  private identRule(list: TokenSubset, k: number, region: Region, isCode: boolean): void {
    if (region.target === 'false' && region.reference === 'false') return;
    const name = list.text(k);
    const r = IDENT_RULES.get(name);
    if (!r) return;
    if (list.is(k - 1, '.') || list.is(k - 1, '->')) return;
    if (r.call && !list.is(k + 1, '(')) return;
    if (r.rule === 'begin-decls' && this.defines.has(name)) return;
    if (r.call && isCode && this.isDefinitionName(k)) return;
    const own = r.call ? this.ownDefinition(name) : undefined;
    this.report(r.rule, list.pos(k), r.call ? `${name}()` : name, region, own);
  }

  private definitionNames: Map<number, string> | undefined;
  /** Code tokens naming a function the file defines itself (e.g. its own fallback implementation), by index. */
  private definitions(): Map<number, string> {
    if (!this.definitionNames) {
      this.definitionNames = new Map();
      const p = this.code.p;
      for (let j = 1; j < this.code.length; j++) {
        if (p[j] !== 123 /* { */ || p[j - 1] !== 41 /* ) */) continue;
        let depth = 0;
        let m = j - 1;
        for (; m >= 0; m--) {
          if (p[m] === 41) depth++;
          else if (p[m] === 40 && --depth === 0) break;
        }
        if (this.code.kind(m - 1) === 'ident') this.definitionNames.set(m - 1, this.code.text(m - 1));
      }
    }
    return this.definitionNames;
  }

  isDefinitionName(k: number): boolean {
    return this.definitions().has(k);
  }

  /** Where the file defines `name()` itself in code musl compiles: calls then use that definition. */
  private ownDefinition(name: string): { line: number; text: string } | undefined {
    for (const [k, n] of this.definitions()) {
      if (n !== name || this.regionAt(k).target === 'false') continue;
      return { line: this.locate(this.code.pos(k)).line, text: `the file's own ${name}() definition` };
    }
    return undefined;
  }

  locate(pos: number): { line: number; col: number } {
    return this.src.map.locate(pos);
  }

  /** The source text from the start of code token `a` to the end of code token `b`, on one line. */
  sourceText(a: number, b: number): string {
    const end = this.code.pos(b) + this.code.size(b);
    return this.src.text.slice(this.code.pos(a), end).replace(/\s+/g, ' ');
  }

  /** Record a hit for `tok`, as a finding or as guarded depending on `region`. */
  report(rule: MuslRuleId, pos: number, construct: string, region: Region, guardOverride?: { line: number; text: string }): void {
    if (region.target === 'false' && region.reference === 'false') return;
    const { line, col } = this.src.map.locate(pos);
    const r = ruleById(rule);
    const hit: MuslHit = { file: this.file, line, col, rule, construct, why: r.why, fix: r.fix };
    if (region.target === 'false') {
      const g = [...region.conditions].reverse().find((c) => c.target === 'false');
      if (g) hit.guard = { line: g.line, text: g.text };
      this.result.guarded.push(hit);
      return;
    }
    if (guardOverride) {
      hit.guard = guardOverride;
      this.result.guarded.push(hit);
      return;
    }
    const note = noteFor(region.conditions);
    if (note) hit.note = note;
    this.result.findings.push(hit);
  }
}

function noteFor(conditions: readonly BranchCondition[]): string | undefined {
  const notes: string[] = [];
  for (const c of conditions) {
    if (c.target === 'true' && [...c.mentions].some((m) => LINUX_MACROS.has(m))) {
      notes.push(`\`${c.text}\` (line ${c.line}) holds on musl too (musl is Linux): guard with __GLIBC__ instead`);
    } else if (c.target === 'unknown') {
      notes.push(`depends on \`${c.text}\` (line ${c.line}): make sure it is off for musl, or guard with __GLIBC__`);
    }
  }
  return notes.length ? notes.join('; ') : undefined;
}

export function scanText(file: string, text: string): FileResult {
  if (!MUSL_TRIGGERS.test(text)) return { findings: [], guarded: [] };
  return new FileScan(file, text).run();
}
