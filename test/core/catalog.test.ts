import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERRORS_DOC, renderErrorsDoc } from '../../scripts/docs/errors.js';
import { AREAS, catalogEntry, isFailureCode, type CatalogEntry } from '../../src/core/catalog/index.js';
import { codeLiterals } from './code-literals.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = path.join(ROOT, 'src');
const CATALOG_DIR = path.join(SRC, 'core', 'catalog');
const areas = new Set<string>(AREAS.map((a) => a.area));
const literals = codeLiterals(SRC, areas, CATALOG_DIR);
const entries = AREAS.flatMap((a) => Object.entries(a.codes as Record<string, CatalogEntry>).map(([code, e]) => ({ area: a.area, code, e })));

test('docs/errors.md is what scripts/docs/errors.ts makes of the catalog (run `npx tsx scripts/docs/errors.ts`)', () => {
  const have = readFileSync(ERRORS_DOC, 'utf8');
  assert.equal(have, renderErrorsDoc(), 'docs/errors.md is stale: run npx tsx scripts/docs/errors.ts');
});

test('every code written in src/ is in the catalog and in docs/errors.md', () => {
  assert.ok(literals.length > 150, `the scan found only ${literals.length} code literals`);
  const doc = readFileSync(ERRORS_DOC, 'utf8');
  const missing = literals.filter((l) => !l.pieced && !isFailureCode(l.code)).map((l) => `${l.at}: ${l.code}`);
  assert.deepEqual(missing, [], 'codes not in any src/core/catalog/*.ts: add a line to the area\'s catalog');
  const undocumented = literals.filter((l) => !l.pieced && !doc.includes(`| \`${l.code}\` |`)).map((l) => `${l.at}: ${l.code}`);
  assert.deepEqual(undocumented, [], 'codes missing from docs/errors.md');
});

test('codes are spelled in full where they are reported (grep-able), never pieced together', () => {
  assert.deepEqual(literals.filter((l) => l.pieced).map((l) => `${l.at}: ${l.code}`), []);
});

test('the exit code and severity written beside a code agree with its catalog entry', () => {
  const wrong: string[] = [];
  for (const l of literals) {
    if (!isFailureCode(l.code)) continue;
    const e = catalogEntry(l.code);
    if (l.exit !== undefined && l.exit !== e.exit) wrong.push(`${l.at}: ${l.code} exit ${l.exit}, catalog ${e.exit}`);
    if (l.severity !== undefined && l.severity !== e.severity) wrong.push(`${l.at}: ${l.code} severity ${l.severity}, catalog ${e.severity}`);
  }
  assert.deepEqual(wrong, []);
});

test('every catalog code is reported somewhere in src/ (no stale entries)', () => {
  const used = new Set(literals.map((l) => l.code));
  assert.deepEqual(entries.filter(({ code }) => !used.has(code)).map(({ code }) => code), []);
});

test('catalog entries: the area prefix, a one-line hint, warnings and notes do not stop a command by themselves', () => {
  const bad: string[] = [];
  for (const { area, code, e } of entries) {
    if (!code.startsWith(`${area}.`)) bad.push(`${code}: not under ${area}.`);
    if (!/^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$/.test(code)) bad.push(`${code}: not kebab-case`);
    if (e.hint.trim() === '' || e.hint.includes('\n')) bad.push(`${code}: the hint must be one non-empty line`);
    if (e.severity === 'error' && e.exit === 'ok') bad.push(`${code}: an error with exit 0`);
    if (e.severity === 'info' && e.exit !== 'ok') bad.push(`${code}: a note with a failing exit`);
  }
  assert.deepEqual(bad, []);
  assert.equal(new Set(entries.map((x) => x.code)).size, entries.length);
});
