/**
 * Evaluates a makefile the way `make` reads it, without running anything: assignments of every flavour,
 * `include`s (relative to the top folder, then to the including file), conditionals (evaluated when their
 * operands are known; otherwise both branches are read and what they set becomes unresolved), rules and their
 * recipes, which are expanded at the end with the final variable values and the automatic variables of their rule.
 */
import * as posix from 'node:path/posix';
import { unreachable, type CodeOf } from '../../core/errors.js';
import { expand, newState, note, type ExpandState } from './expand.js';
import { words } from './functions.js';
import { parseMakefile } from './lines.js';
import { makeDiagnostic, type CondTest, type MakeDiagnostic, type MakeLoc, type MakeRecipe, type MakeStmt, type MakeVar } from './types.js';

/** Read access to the audited tree: paths are relative to its top, `/`-separated. */
export interface TextTree {
  read(path: string): string | undefined;
}

export interface MakeResult {
  vars: Map<string, MakeVar>;
  recipes: MakeRecipe[];
  diagnostics: MakeDiagnostic[];
  /** Every makefile read, the top one first. */
  files: string[];
  /** The commands of `$(shell ...)`s make would run while reading the makefiles or expanding recipes. */
  shells: { loc: MakeLoc; text: string }[];
  /** Expands text with the final variables (for tests and callers that resolve more than recipes). */
  expand(text: string): { text: string; unresolved: string[] };
}

type CondState = 'on' | 'off' | 'unknown';
interface Frame {
  state: CondState;
  /** A branch of this conditional was certainly taken. */
  done: boolean;
  /** An earlier branch could not be evaluated. */
  maybe: boolean;
  /** The enclosing conditional is off. */
  dead: boolean;
}

interface Rule {
  targets: string[];
  prereqs: string[];
}

interface PendingRecipe {
  loc: MakeLoc;
  text: string;
  rule: Rule;
}

const MAX_INCLUDES = 200;
const MAX_EVALS = 1000;

class Evaluator {
  readonly vars = new Map<string, MakeVar>();
  readonly diagnostics: MakeDiagnostic[] = [];
  readonly files: string[] = [];
  readonly pending: PendingRecipe[] = [];
  readonly shells: { loc: MakeLoc; text: string }[] = [];
  private chain: string[] = [];
  private evals = 0;
  /** The statement being read (where a `$(shell ...)` met now runs). */
  private loc: MakeLoc = { file: '', line: 0 };

  /** A fresh expansion state that reports `$(shell ...)` commands. */
  private state(undefinedIsEmpty = false): ExpandState {
    return {
      ...newState(this.vars, undefinedIsEmpty),
      shellHook: (text) => {
        if (!this.shells.some((x) => x.text === text && x.loc.file === this.loc.file && x.loc.line === this.loc.line)) {
          this.shells.push({ loc: this.loc, text });
        }
      },
    };
  }

  constructor(
    private readonly tree: TextTree,
    commandLine: Record<string, string>,
  ) {
    for (const [name, value] of Object.entries(commandLine)) {
      this.vars.set(name, { flavor: 'simple', value, unresolved: [], origin: 'command line' });
    }
  }

  readFile(file: string, from?: MakeLoc): boolean {
    const text = this.tree.read(file);
    if (text === undefined) return false;
    if (this.chain.includes(file) || this.files.length >= MAX_INCLUDES) {
      if (from) this.diag(from, 'make.include-loop', `${file} is included again (or too many includes)`, file);
      return true;
    }
    this.files.push(file);
    this.chain.push(file);
    const { stmts, diagnostics } = parseMakefile(text, file);
    this.diagnostics.push(...diagnostics);
    this.run(stmts);
    this.chain.pop();
    return true;
  }

  private diag(loc: MakeLoc, code: CodeOf<'make'>, message: string, value?: string): void {
    this.diagnostics.push(makeDiagnostic(loc, code, message, value));
  }

  private run(stmts: readonly MakeStmt[]): void {
    const stack: Frame[] = [];
    let rule: Rule | undefined;
    for (const s of stmts) {
      this.loc = s.loc;
      if (s.kind === 'if' || s.kind === 'else' || s.kind === 'endif') {
        this.conditional(stack, s);
        continue;
      }
      if (stack.some((f) => f.state === 'off')) continue;
      const uncertain = stack.some((f) => f.state === 'unknown');
      switch (s.kind) {
        case 'assign':
          this.assign(s, uncertain);
          rule = undefined;
          break;
        case 'include':
          this.include(s.files, s.optional, s.loc);
          rule = undefined;
          break;
        case 'rule':
          rule = s.targetVariable ? undefined : this.rule(s.targets, s.prereqs);
          break;
        case 'recipe':
          if (rule) this.pending.push({ loc: s.loc, text: s.text, rule });
          break;
        case 'export':
          break;
        case 'other':
          this.other(s.text, s.loc, uncertain);
          rule = undefined;
          break;
        default:
          unreachable(s, 'make statement');
      }
    }
    if (stack.length > 0) this.diag(stmts.at(-1)!.loc, 'make.missing-endif', 'a conditional has no endif');
  }

  /**
   * A line that is neither a rule nor an assignment: usually `$(eval ...)` (often in a `foreach` over a `call`ed
   * template). It is expanded now, and the text each `eval` makes is read as makefile text at this place.
   */
  private other(text: string, loc: MakeLoc, uncertain: boolean): void {
    if (uncertain) return;
    const st: ExpandState = { ...this.state(), evalHook: (made) => this.evalText(made, loc) };
    expand(text, st);
    if (st.unresolved.length > 0 && text.includes('$(eval')) {
      this.diag(loc, 'make.eval', `$(eval ...) cannot be evaluated: ${st.unresolved.join('; ')}`, text);
    }
  }

  private evalText(text: string, loc: MakeLoc): void {
    if (++this.evals > MAX_EVALS) return;
    const { stmts, diagnostics } = parseMakefile(text, loc.file);
    for (const d of diagnostics) this.diagnostics.push({ ...d, where: loc });
    this.run(stmts.map((s) => ({ ...s, loc })));
  }

  private conditional(stack: Frame[], s: MakeStmt & { kind: 'if' | 'else' | 'endif' }): void {
    if (s.kind === 'if') {
      const dead = stack.some((f) => f.state === 'off');
      const r = dead ? false : this.test(s.test);
      stack.push({ state: r === undefined ? 'unknown' : r ? 'on' : 'off', done: r === true, maybe: r === undefined, dead });
      return;
    }
    const top = stack.at(-1);
    if (!top) {
      this.diag(s.loc, 'make.stray-conditional', `${s.kind} without a matching if`);
      return;
    }
    if (s.kind === 'endif') {
      stack.pop();
      return;
    }
    if (top.dead || top.done) {
      top.state = 'off';
      return;
    }
    const r = s.test ? this.test(s.test) : true;
    if (r === false) top.state = 'off';
    else if (r === undefined || top.maybe) top.state = 'unknown';
    else top.state = 'on';
    top.done = top.state === 'on';
    top.maybe ||= r === undefined;
  }

  /** true/false, or undefined when the test depends on something unknown. */
  private test(t: CondTest): boolean | undefined {
    const st = this.state(true);
    if (!('a' in t)) {
      const name = expand(t.name, st).trim();
      const v = this.vars.get(name);
      if (st.unresolved.length > 0 || (v && v.unresolved.length > 0)) return undefined;
      const defined = v !== undefined && v.value !== '';
      return t.op === 'ifdef' ? defined : !defined;
    }
    const a = expand(t.a, st);
    const b = expand(t.b, st);
    if (st.unresolved.length > 0) return undefined;
    return t.op === 'ifeq' ? a === b : a !== b;
  }

  private assign(s: MakeStmt & { kind: 'assign' }, uncertain: boolean): void {
    const st = this.state();
    const name = expand(s.name, st).trim();
    // A name that cannot be resolved (Kbuild's `obj-$(CONFIG_X) += ...`) cannot be referenced by a known name either.
    if (st.unresolved.length > 0 || name === '') return;
    const old = this.vars.get(name);
    if (old && (old.origin === 'command line' || old.origin === 'override') && !s.override) return;
    const origin = s.override ? 'override' : 'file';
    if (uncertain) {
      const why = `${name} is set under a condition that cannot be evaluated (${s.loc.file}:${s.loc.line})`;
      this.vars.set(name, { flavor: 'simple', value: `$(${name})`, unresolved: [why], origin, loc: s.loc });
      return;
    }
    const set = (v: Omit<MakeVar, 'origin' | 'loc'>) => this.vars.set(name, { ...v, origin, loc: s.loc });
    switch (s.op) {
      case '=':
        return void set({ flavor: 'recursive', value: s.value, unresolved: [] });
      case '?=':
        if (!old) set({ flavor: 'recursive', value: s.value, unresolved: [] });
        return;
      case ':=':
      case '::=':
      case ':::=': {
        const v = this.state();
        const value = expand(s.value, v);
        return void set({ flavor: 'simple', value, unresolved: v.unresolved });
      }
      case '+=':
        return this.append(s.value, old, set);
      case '!=':
        return void set({ flavor: 'simple', value: `$(shell ${s.value})`, unresolved: [`${name} is set by a shell command (!=)`] });
      default:
        unreachable(s.op, 'assignment operator');
    }
  }

  private append(value: string, old: MakeVar | undefined, set: (v: Omit<MakeVar, 'origin' | 'loc'>) => void): void {
    if (!old) return void set({ flavor: 'recursive', value, unresolved: [] });
    const sep = old.value === '' ? '' : ' ';
    if (old.flavor === 'recursive') return void set({ flavor: 'recursive', value: old.value + sep + value, unresolved: old.unresolved });
    const v = this.state();
    const more = expand(value, v);
    note(v, old.unresolved);
    set({ flavor: 'simple', value: old.value + sep + more, unresolved: v.unresolved });
  }

  private include(filesText: string, optional: boolean, loc: MakeLoc): void {
    const st = this.state();
    const list = words(expand(filesText, st));
    if (st.unresolved.length > 0) {
      this.diag(loc, 'make.include-unresolved', `include names cannot be resolved: ${st.unresolved.join('; ')}`, filesText);
      return;
    }
    for (const name of list) {
      const candidates = [posix.normalize(name), posix.normalize(posix.join(posix.dirname(loc.file), name))];
      const found = [...new Set(candidates)].filter((c) => !c.startsWith('../') && !posix.isAbsolute(c)).some((c) => this.readFile(c, loc));
      if (!found && !optional) this.diag(loc, 'make.include-missing', `included file ${name} is not in the tree`, name);
    }
  }

  private rule(targets: string, prereqs: string): Rule {
    const st = this.state();
    return { targets: words(expand(targets, st)), prereqs: words(expand(prereqs, st)) };
  }

  recipes(mark?: ExpandState['mark']): MakeRecipe[] {
    return this.pending.map((p) => {
      this.loc = p.loc;
      const raw = p.text.replace(/^[@+\-\s]+/, '');
      const st: ExpandState = { ...this.state(), ...(mark ? { mark } : {}) };
      const first = p.rule.prereqs[0] ?? '';
      st.locals.push(
        new Map([
          ['@', p.rule.targets[0] ?? ''],
          ['<', first],
          ['^', [...new Set(p.rule.prereqs)].join(' ')],
          ['+', p.rule.prereqs.join(' ')],
          ['?', p.rule.prereqs.join(' ')],
        ]),
      );
      const text = expand(raw, st);
      return { loc: p.loc, target: p.rule.targets[0] ?? '', raw, text, unresolved: st.unresolved };
    });
  }
}

/** Reads `file` (relative to the tree's top) and everything it includes. */
export function evaluateMakefile(
  tree: TextTree,
  file: string,
  commandLine: Record<string, string> = {},
  mark?: ExpandState['mark'],
): MakeResult {
  const ev = new Evaluator(tree, commandLine);
  if (!ev.readFile(file)) {
    ev.diagnostics.push(makeDiagnostic({ file, line: 1 }, 'make.missing', `${file} is not in the tree`, file));
  }
  return {
    vars: ev.vars,
    recipes: ev.recipes(mark),
    diagnostics: ev.diagnostics,
    files: ev.files,
    shells: ev.shells,
    expand(text: string) {
      const st = newState(ev.vars);
      const out = expand(text, st);
      return { text: out, unresolved: st.unresolved };
    },
  };
}
