/**
 * Finds the diagnostic codes written in src/: every string literal shaped `area.name` whose area is a catalog area,
 * read with the TypeScript parser (comments and prose never match), with the `exit:` and `severity:` written next
 * to it in the same object literal. A file name shaped the same (`manifest.json`, `kernel.tar`) is not a code: a
 * literal whose part after the dot is a common file extension is skipped (the compiler still checks every literal
 * in a position typed as a code).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export interface CodeLiteral {
  code: string;
  /** `src/...:line`. */
  at: string;
  /** `ExitCode.NAME` written beside it, as NAME. */
  exit?: string;
  /** A literal `severity:` beside it. */
  severity?: string;
  /** A template literal (`area.${x}`) in a `code:` property: a code not spelled in full. */
  pieced?: boolean;
}

const FILE_EXTENSIONS = new Set([
  'json', 'yaml', 'yml', 'toml', 'xml', 'txt', 'md', 'log', 'lock', 'sum', 'sig', 'asc',
  'tar', 'gz', 'tgz', 'xz', 'zst', 'bz2', 'zip', 'deb', 'apk', 'patch', 'diff',
  'h', 'c', 'cc', 'cpp', 'mk', 'sh', 'py', 'ts', 'js', 'mjs', 'cjs', 'html',
]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []))
    .sort();
}

function siblings(n: ts.Node): { exit?: string; severity?: string } {
  const obj = n.parent && ts.isPropertyAssignment(n.parent) && ts.isObjectLiteralExpression(n.parent.parent) ? n.parent.parent : undefined;
  const out: { exit?: string; severity?: string } = {};
  for (const p of obj?.properties ?? []) {
    if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name)) continue;
    const v = p.initializer;
    if (p.name.text === 'exit' && ts.isPropertyAccessExpression(v) && v.expression.getText() === 'ExitCode') out.exit = v.name.text;
    if (p.name.text === 'severity' && ts.isStringLiteral(v)) out.severity = v.text;
  }
  return out;
}

/** Every code literal under `srcDir` except in `skipDir` (the catalog itself). */
export function codeLiterals(srcDir: string, areas: ReadonlySet<string>, skipDir: string): CodeLiteral[] {
  const shape = /^([a-z]+)\.[a-z0-9]+(-[a-z0-9]+)*$/;
  const out: CodeLiteral[] = [];
  for (const file of tsFiles(srcDir)) {
    if (file.startsWith(skipDir + path.sep)) continue;
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const at = (n: ts.Node) => `${path.relative(path.dirname(srcDir), file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const visit = (n: ts.Node): void => {
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
        const m = shape.exec(n.text);
        if (m && areas.has(m[1]!) && !FILE_EXTENSIONS.has(n.text.slice(m[1]!.length + 1))) out.push({ code: n.text, at: at(n), ...siblings(n) });
      } else if (ts.isTemplateExpression(n) && ts.isPropertyAssignment(n.parent) && n.parent.name.getText() === 'code') {
        const area = /^([a-z]+)\./.exec(n.head.text)?.[1];
        if (area && areas.has(area)) out.push({ code: n.getText(), at: at(n), pieced: true });
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}
