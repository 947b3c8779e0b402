/**
 * docs/ holds generated files (the command reference, the manifest reference, ...): every generator in
 * scripts/docs/ run with --check must find them current, so a change to a command, an option, its help text or the
 * schema fails here until `npm run docs` is run. The comparison itself is shown to catch a stale, a missing and an
 * extra file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { compare, ROOT, write } from '../../scripts/docs/lib/generated.js';
import { commandDocs } from '../../scripts/docs/commands.js';
import { manifestDocs } from '../../scripts/docs/manifest.js';

const run = promisify(execFile);

test('every generated file under docs/ is current (npm run docs -- --check)', async () => {
  const generators = (await fs.readdir(path.join(ROOT, 'scripts/docs'))).filter((f) => f.endsWith('.ts')).sort();
  assert.ok(generators.includes('commands.ts') && generators.includes('manifest.ts'), generators.join(' '));
  await Promise.all(
    generators.map(async (g) => {
      const r: { code?: number; stderr: string } = await run(process.execPath, ['--import', 'tsx', path.join('scripts/docs', g), '--check'], { cwd: ROOT }).catch(
        (e: { code?: number; stderr?: string }) => ({ code: e.code ?? -1, stderr: e.stderr ?? String(e) }),
      );
      assert.equal(r.code ?? 0, 0, `scripts/docs/${g} --check: ${r.stderr}`);
    }),
  );
});

test('the command reference has a page per command, with its options and examples', () => {
  const gen = commandDocs();
  const build = gen.files.find((f) => f.path === 'docs/commands/build.md')?.text ?? '';
  assert.match(build, /tarsmith build \[options\] \[target\]/);
  assert.match(build, /\| `--progress <mode>` \| BuildKit progress output \(on stderr\) \(one of `auto`, `plain`, `tty`; default `auto`\) \|/);
  assert.match(build, /\$ tarsmith build hello --out \/tmp\/out --progress plain/);
  for (const p of ['kconfig-check', 'audit-fetch', 'convert-apk', 'vendor', 'README']) {
    assert.ok(gen.files.some((f) => f.path === `docs/commands/${p}.md`), p);
  }
  // the engine option group is one definition: the same rows on every command that takes it
  const rows = (name: string) => (gen.files.find((f) => f.path === `docs/commands/${name}.md`)?.text ?? '').split('\n').filter((l) => /^\| `--(platform|progress|docker|builder|cache-from|cache-to|no-cache)/.test(l));
  assert.equal(rows('build').length, 7);
  assert.deepEqual(rows('image'), rows('build'));
  assert.deepEqual(rows('toolchain'), rows('build'));
});

test('the manifest reference lists every schema key, with notes; an orphan note would fail the generator', () => {
  const text = manifestDocs().files[0]!.text;
  for (const key of ['sources[].strip', 'builder.family', 'build.targets.<target>.artifacts[].rename', 'kernel.crossCompile']) {
    assert.ok(text.includes(`| \`${key}\` |`), key);
  }
  assert.match(text, /\*\*`sources\[\]\.private`\*\*: The source is passed with `--secret`/);
});

test('a stale, a missing and an extra generated file are each reported, and writing fixes all three', async (t) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-docs-'));
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const gen = { files: [{ path: 'd/a.md', text: 'A\n' }, { path: 'd/b.md', text: 'B\n' }], owns: ['d'] };
  await fs.mkdir(path.join(root, 'd'));
  await fs.writeFile(path.join(root, 'd/a.md'), 'old\n');
  await fs.writeFile(path.join(root, 'd/c.md'), 'C\n');
  assert.deepEqual(await compare(gen, root), [
    { path: 'd/a.md', kind: 'stale' },
    { path: 'd/b.md', kind: 'missing' },
    { path: 'd/c.md', kind: 'extra' },
  ]);
  await write(gen, root);
  assert.deepEqual(await compare(gen, root), []);
  assert.deepEqual((await fs.readdir(path.join(root, 'd'))).sort(), ['a.md', 'b.md']);
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const m = fence ? null : /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const base = m[1]!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

test('every relative link in README.md and docs/ names a file that exists, and a heading in it', async () => {
  const pages = ['README.md', ...(await fs.readdir(path.join(ROOT, 'docs'), { recursive: true })).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  for (const page of pages) {
    const text = await fs.readFile(path.join(ROOT, page), 'utf8');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1]!;
      if (/^[a-z]+:/.test(link)) continue;
      const [file = '', anchor] = link.split('#');
      const target = file === '' ? page : path.posix.join(path.posix.dirname(page), file);
      const body = await fs.readFile(path.join(ROOT, target), 'utf8').catch(() => undefined);
      if (body === undefined) broken.push(`${page}: ${link} (no file ${target})`);
      else if (anchor !== undefined && target.endsWith('.md') && !anchors(body).has(anchor)) broken.push(`${page}: ${link} (no heading #${anchor})`);
    }
  }
  assert.deepEqual(broken, []);
});
