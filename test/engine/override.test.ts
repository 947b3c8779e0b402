/**
 * `--source NAME=PATH`: one build reads a source from another file. The override is hashed, read through the
 * extraction policy, announced, planned under its own name, and never changes tarsmith.lock or packages/SHA256SUMS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { craftTar } from '../archive/rig.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'tarsmith');
const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4);

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(BIN, args, { cwd, env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function tarball(root: string, top: string, files: Record<string, string>, out: string): Buffer {
  const work = path.join(root, `t-${path.basename(out)}`);
  execFileSync('mkdir', ['-p', path.join(work, top)]);
  for (const [rel, body] of Object.entries(files)) execFileSync('sh', ['-c', 'cat > "$1"', 'sh', path.join(work, top, rel)], { input: body });
  execFileSync('tar', ['-czf', out, '--sort=name', '--mtime=@1700000000', '--owner=0', '--group=0', '--numeric-owner', '-C', work, top]);
  return execFileSync('cat', [out]);
}

interface Proj { root: string; dir: string; env: NodeJS.ProcessEnv; lock: string; sums: string; cleanup(): Promise<void> }

async function project(pin = false): Promise<Proj> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-override-'));
  const dir = path.join(root, 'proj');
  await fs.mkdir(path.join(dir, 'packages'), { recursive: true });
  const env = { ...process.env, XDG_CACHE_HOME: path.join(root, 'cache') };
  const one = tarball(root, 'ask-1.0', { 'VERSION': '1\n', 'Makefile': 'all:\n\ttrue\n' }, path.join(dir, 'packages/ASK.tar.gz'));
  await fs.writeFile(path.join(dir, 'tarsmith.yaml'), `version: 1
name: ask
sourceDateEpoch: 1700000000
sources:
  - name: ask
    file: packages/ASK.tar.gz
    strip: 1${pin ? `\n    sha256: ${sha(one)}` : ''}
builder:
  image: debian:bookworm@${DIGEST}
  family: apt
build:
  targets:
    userspace:
      steps: [make]
      artifacts: [VERSION]
`);
  const v = await cli(['vendor'], dir, env);
  assert.equal(v.code, 0, v.stderr);
  return {
    root, dir, env,
    lock: await fs.readFile(path.join(dir, 'tarsmith.lock'), 'utf8'),
    sums: await fs.readFile(path.join(dir, 'packages/SHA256SUMS'), 'utf8'),
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
}

async function unchanged(p: Proj): Promise<void> {
  assert.equal(await fs.readFile(path.join(p.dir, 'tarsmith.lock'), 'utf8'), p.lock, 'tarsmith.lock is untouched');
  assert.equal(await fs.readFile(path.join(p.dir, 'packages/SHA256SUMS'), 'utf8'), p.sums, 'packages/SHA256SUMS is untouched');
}

test('generate --source plans the override under packages/, announces it, leaves the lock alone', async () => {
  const p = await project();
  try {
    const two = tarball(p.root, 'ask-2.0', { 'VERSION': '2\n', 'Makefile': 'all:\n\ttrue\n' }, path.join(p.dir, 'packages/ASK-2.tar.gz'));
    const r = await cli(['generate', '--source', 'ask=packages/ASK-2.tar.gz', '--out', 'review', '--json'], p.dir, p.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning\[verify\.source-overridden\]: source "ask" is built from packages\/ASK-2\.tar\.gz \(sha256 [0-9a-f]{64}\), not the locked packages\/ASK\.tar\.gz/);
    assert.doesNotMatch(r.stderr, /verify\.unlisted/, 'the override is not reported as an unlisted file');
    const inputs = await fs.readFile(path.join(p.dir, 'review/inputs.tsv'), 'utf8');
    assert.match(inputs, /^packages\/ASK-2\.tar\.gz\tpackages\/ASK-2\.tar\.gz$/m);
    assert.doesNotMatch(inputs, /packages\/ASK\.tar\.gz/);
    // The build stage checks the staged file against the override's sha256, not the locked one.
    const sums = await fs.readFile(path.join(p.dir, 'review/tarsmith/SHA256SUMS'), 'utf8');
    assert.match(sums, new RegExp(`^${sha(two)}  ASK-2\\.tar\\.gz$`, 'm'));
    await unchanged(p);
  } finally {
    await p.cleanup();
  }
});

test('an override from outside packages/ is staged under packages/_overrides/NAME/, the locked file may be absent', async () => {
  const p = await project();
  try {
    const outside = path.join(p.root, 'elsewhere');
    await fs.mkdir(outside);
    const two = tarball(p.root, 'ask-2.0', { 'VERSION': '2\n' }, path.join(outside, 'ASK.tar.gz'));
    await fs.rm(path.join(p.dir, 'packages/ASK.tar.gz'));
    const { prepare } = await import('../../src/engine/prepare.js');
    process.env.XDG_CACHE_HOME = p.env.XDG_CACHE_HOME;
    const r = await prepare({ manifest: path.join(p.dir, 'tarsmith.yaml'), sources: [`ask=${path.join(outside, 'ASK.tar.gz')}`] });
    assert.equal(r.overrides.length, 1);
    const o = r.overrides[0]!;
    assert.equal(o.sha256, sha(two));
    assert.equal(o.locked.sha256, JSON.parse(p.lock).sources.ask.sha256);
    assert.equal(r.lock.sources.ask?.sha256, sha(two), 'the build sees the override');
    assert.ok(r.trees.ask?.sha256, 'the override was read through the extraction policy into a canonical tree');
    assert.ok(r.plan.context.some((c) => c.contextPath === 'packages/_overrides/ask/ASK.tar.gz' && c.src === path.join(outside, 'ASK.tar.gz')));
    assert.ok(!r.plan.context.some((c) => c.contextPath === 'packages/ASK.tar.gz'));
    await unchanged(p);
    // Without the override the missing locked file is what the pre-flight reports.
    await assert.rejects(prepare({ manifest: path.join(p.dir, 'tarsmith.yaml') }), (e: { failures: { code: string }[] }) => e.failures.some((f) => f.code === 'verify.missing'));
  } finally {
    await p.cleanup();
  }
});

test('a hostile override is refused by the extraction policy, named by its source', async () => {
  const p = await project();
  try {
    const bad = path.join(p.root, 'bad.tar');
    await craftTar(bad, [{ name: 'ask/ok.txt', body: 'ok' }, { name: 'ask/../../evil.txt', body: 'pwned' }]);
    const r = await cli(['generate', '--source', `ask=${bad}`], p.dir, p.env);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error\[archive\.path-traversal\]/);
    assert.match(r.stderr, /in source "ask" \(.*tarsmith\.yaml:5:5\)/);
    await unchanged(p);
  } finally {
    await p.cleanup();
  }
});

test('bad overrides: not NAME=PATH, an unknown name, a missing file, twice the same name, a pinned source', async () => {
  const p = await project();
  try {
    const cases: [string[], number, RegExp][] = [
      [['--source', 'packages/x.tar.gz'], 2, /error\[usage\.bad-source-override\]: a source override is NAME=PATH/],
      [['--source', 'aks=packages/ASK.tar.gz'], 2, /error\[usage\.unknown-source\][\s\S]*did you mean ask\?/],
      [['--source', 'ask=packages/nope.tar.gz'], 1, /error\[verify\.override-missing\]: source "ask": the override packages\/nope\.tar\.gz does not exist/],
      [['--source', 'ask=packages', ], 1, /error\[verify\.override-missing\][\s\S]*is not a regular file/],
      [['--source', 'ask=packages/ASK.tar.gz', '--source', 'ask=packages/ASK.tar.gz'], 2, /overridden twice/],
    ];
    for (const [args, code, re] of cases) {
      const r = await cli(['generate', ...args], p.dir, p.env);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
  } finally {
    await p.cleanup();
  }
  const q = await project(true);
  try {
    tarball(q.root, 'ask-2.0', { 'VERSION': '2\n' }, path.join(q.dir, 'packages/ASK-2.tar.gz'));
    const r = await cli(['generate', '--source', 'ask=packages/ASK-2.tar.gz'], q.dir, q.env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /tarsmith\.yaml:8:\d+: error\[verify\.override-pinned\]: source "ask" is pinned to one file/);
    // The same bytes as the pin are accepted (a copy of the locked file elsewhere).
    await fs.copyFile(path.join(q.dir, 'packages/ASK.tar.gz'), path.join(q.root, 'copy.tar.gz'));
    const ok = await cli(['generate', '--source', `ask=${path.join(q.root, 'copy.tar.gz')}`], q.dir, q.env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /same bytes as the locked file/);
    await unchanged(q);
  } finally {
    await q.cleanup();
  }
});

test('--source-date-epoch replaces the manifest\'s sourceDateEpoch for one run; a bad value is a usage error', async () => {
  const p = await project();
  try {
    const r = await cli(['generate', '--source-date-epoch', '1800000000', '--out', 'review'], p.dir, p.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /SOURCE_DATE_EPOCH=1800000000 for this run \(--source-date-epoch; the manifest says 1700000000\)/);
    const df = await fs.readFile(path.join(p.dir, 'review/Dockerfile'), 'utf8');
    assert.match(df, /1800000000/);
    assert.doesNotMatch(df, /1700000000/);
    for (const bad of ['soon', '-1', '99999999999']) {
      const b = await cli(['generate', '--source-date-epoch', bad], p.dir, p.env);
      assert.equal(b.code, 2, `${bad}: ${b.stderr}`);
      assert.match(b.stderr, /error\[usage\.bad-source-date-epoch\]/);
    }
    await unchanged(p);
  } finally {
    await p.cleanup();
  }
});
