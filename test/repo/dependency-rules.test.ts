/**
 * The layering checker (.dependency-cruiser.cjs, run by `npm test` before the tests, where the tree as it is must
 * pass) fails on violations planted in a temp copy of src/, and reports exactly those: an import up a layer, one
 * across features, a new import cycle, a file in an area the rules do not know, and a development-only package
 * imported by shipped code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const FILES = ['.dependency-cruiser.cjs', '.dependency-cruiser-known-violations.json', 'tsconfig.json', 'package.json'];

async function copyTree(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-deps-'));
  await fs.cp(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  for (const f of FILES) await fs.copyFile(path.join(ROOT, f), path.join(dir, f));
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** The checker as `npm test` runs it (`npm run deps`): its text report and exit status. */
function cruise(dir: string): { status: number | null; report: string } {
  const args = [CRUISE, 'src', '--config', '.dependency-cruiser.cjs', '--ignore-known', '.dependency-cruiser-known-violations.json', '--output-type', 'err'];
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.stderr, '', 'depcruise itself ran without trouble');
  return { status: r.status, report: r.stdout.replace(/\s*→\s*/g, ' -> ') };
}

async function plant(dir: string, file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await fs.writeFile(path.join(dir, file), text);
}

test('the dependency rules pass on the tree and fail on each planted violation', async (t) => {
  const dir = await copyTree();
  t.after(() => fs.rm(dir, { recursive: true, force: true }));

  // up a layer: core imports the CLI
  await plant(dir, 'src/core/planted-up.ts', "import { makeProgram } from '../cli/main.js';\nexport const p = makeProgram;\n");
  // across features: convert/apk imports audit/musl (a type-only import counts too)
  await plant(dir, 'src/convert/apk/planted-across.ts', "import type { MuslRule } from '../../audit/musl/rules.js';\nexport type F = MuslRule;\n");
  // a new cycle inside one area
  await plant(dir, 'src/archive/planted-a.ts', "import { b } from './planted-b.js';\nexport const a = (): number => b() + 1;\n");
  await plant(dir, 'src/archive/planted-b.ts', "import { a } from './planted-a.js';\nexport const b = (): number => a() - 1;\n");
  // an area the rules do not know
  await plant(dir, 'src/unranked/planted.ts', "import { log } from '../core/log.js';\nexport const l = log;\n");
  // shipped code importing a development-only package
  await plant(dir, 'src/manifest/planted-dev.ts', "import ts from 'typescript';\nexport const v = ts.version;\n");

  const r = cruise(dir);
  assert.notEqual(r.status, 0, 'the checker fails');
  for (const want of [
    'error layer:core: src/core/planted-up.ts -> src/cli/main.ts',
    'error layer:convert/apk: src/convert/apk/planted-across.ts -> src/audit/musl/rules.ts',
    'error area-unknown: src/unranked/planted.ts -> src/core/log.ts',
  ]) {
    assert.ok(r.report.includes(want), `expected "${want}" in:\n${r.report}`);
  }
  // node_modules is a symlink into the checkout, which the report names by its real path
  assert.match(r.report, /error src-not-to-dev-dep: src\/manifest\/planted-dev\.ts -> \S*node_modules\/typescript\/lib\/typescript\.js/);
  assert.match(r.report, /error no-circular: src\/archive\/planted-(a|b)\.ts -> src\/archive\/planted-(a|b)\.ts -> src\/archive\/planted-\1\.ts/);
  assert.match(r.report, /x 5 dependency violations \(5 errors/, 'nothing but the planted violations is reported');
});
