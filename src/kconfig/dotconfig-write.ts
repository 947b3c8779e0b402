/**
 * The `.config` text exactly as the kernel's `conf_write()` writes it (`scripts/kconfig/confdata.c`): the
 * four-line header naming the main menu, then the menu tree depth first — a visible `menu` or `comment` as a
 * `#`-boxed title preceded by a blank line, each symbol the first time it is reached with SYMBOL_WRITE set
 * (`CONFIG_X=v` or `# CONFIG_X is not set`), `# end of TITLE` after a visible menu's children, and a blank line
 * between an `# end of` line and the next symbol.
 */
import type { CommentEntry, Entry, Expr, KconfigTree, MenuEntry } from './ast.js';
import { and, N } from './eval.js';
import { entryDep } from './model.js';
import type { Calculator } from './values.js';

/** `menu_is_visible` for a node without a symbol: its own `visible if` and its prompt's full dependency. */
function nodeVisible(calc: Calculator, e: MenuEntry | CommentEntry): boolean {
  if (e.kind === 'menu') {
    let vis: Expr | undefined;
    for (const v of e.visible) vis = and(vis, v);
    if (vis !== undefined && calc.eval(vis) === N) return false;
  }
  const dep = entryDep(e, calc.model.modules);
  return calc.eval(dep) !== N;
}

class Writer {
  readonly out: string[] = [];
  private needNewline = false;
  private readonly written = new Set<string>();

  constructor(private readonly calc: Calculator) {}

  entries(list: Entry[]): void {
    for (const e of list) this.entry(e);
  }

  private entry(e: Entry): void {
    switch (e.kind) {
      case 'config':
        return this.symbol(e.name);
      case 'choice':
      case 'if':
        return this.entries(e.children);
      case 'comment':
        if (nodeVisible(this.calc, e)) this.title(e.prompt.text);
        return;
      case 'menu': {
        const visible = nodeVisible(this.calc, e);
        if (visible) this.title(e.prompt.text);
        this.entries(e.children);
        // The kernel asks again after the children; nothing in between changes a value, so the answer is the same.
        if (visible) {
          this.out.push(`# end of ${e.prompt.text}\n`);
          this.needNewline = true;
        }
        return;
      }
    }
  }

  private title(text: string): void {
    this.out.push(`\n#\n# ${text}\n#\n`);
    this.needNewline = false;
  }

  private symbol(name: string): void {
    if (this.written.has(name)) return;
    const line = this.calc.line(name);
    if (line === undefined) return;
    if (this.needNewline) {
      this.out.push('\n');
      this.needNewline = false;
    }
    this.written.add(name);
    this.out.push(`${line}\n`);
  }
}

/** The `.config` the kernel writes for the evaluated values. */
export function writeDotConfig(calc: Calculator, tree: KconfigTree): string {
  const w = new Writer(calc);
  w.out.push(`#\n# Automatically generated file; DO NOT EDIT.\n# ${tree.mainmenu ?? 'Main menu'}\n#\n`);
  w.entries(tree.entries);
  return w.out.join('');
}
