/**
 * `tarsmith repro` against the real engine, in one project (the bundled example plus a fixture source with two
 * more targets), so the builder rootfs and the vendoring are shared: the example passes under every variation;
 * a target embedding `date` output, its build path and a directory-order tar is caught with each cause named;
 * a target using __DATE__/__TIME__ passes (GCC honours SOURCE_DATE_EPOCH); libcli 1.10.7 from Debian's source
 * archive (fetched with apt-get source) passes offline.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exampleCopy, run, tarsmith, type Example } from './build-rig.js';

const MAKEFILE = `all: stamp.txt where.txt data.tar
stamp.txt:
\tdate > $@
where.txt:
\techo "built in $(CURDIR)" > $@
data.tar:
\tmkdir -p d && for n in a b c d e f g h; do echo $$n > d/$$n; done
\ttar --owner=0 --group=0 --numeric-owner --mtime=@0 -cf $@ d
cdate: cdate.c
\t$(CC) -O2 -o $@ cdate.c
`;
const CDATE = '#include <stdio.h>\nint main(void) { puts("built " __DATE__ " " __TIME__); return 0; }\n';

let ex: Example;

before(async () => {
  ex = await exampleCopy(async (dir, manifest) => {
    const src = path.join(dir, 'fixture', 'unrepro-1.0');
    await fs.mkdir(src, { recursive: true });
    await fs.writeFile(path.join(src, 'Makefile'), MAKEFILE);
    await fs.writeFile(path.join(src, 'cdate.c'), CDATE);
    execFileSync('tar', ['-czf', path.join(dir, 'packages', 'unrepro-1.0.tar.gz'), '-C', path.join(dir, 'fixture'), 'unrepro-1.0']);
    return manifest
      .replace('sources:\n', 'sources:\n  - { name: unrepro, file: packages/unrepro-1.0.tar.gz, strip: 1, license: MIT }\n')
      .concat(`    unrepro:
      steps:
        - make -C ../unrepro
        - cp ../unrepro/stamp.txt ../unrepro/where.txt ../unrepro/data.tar .
      artifacts: [stamp.txt, where.txt, data.tar]
    cdate:
      steps:
        - make -C ../unrepro cdate
        - cp ../unrepro/cdate .
      artifacts: [cdate]
`);
  });
});

after(async () => {
  await ex?.cleanup();
});

interface Report {
  ok: boolean;
  paths: number;
  variations: { name: string; applied: boolean; note?: string }[];
  differences: { path: string; what: string; hints: { cause: string; detail: string }[] }[];
  diagnostics: { code: string }[];
}

test('the bundled example is reproducible under every variation (exit 0)', async () => {
  const r = await tarsmith(['repro', '--json'], ex.dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const rep = JSON.parse(r.stdout) as Report;
  assert.equal(rep.ok, true);
  assert.deepEqual(rep.differences, []);
  assert.ok(rep.paths >= 6, `compared ${rep.paths} paths`);
  const applied = Object.fromEntries(rep.variations.map((v) => [v.name, v.applied]));
  assert.equal(rep.variations.length, 12);
  for (const v of ['build-path', 'timezone', 'locale', 'umask', 'user', 'hostname', 'home', 'cpus', 'dir-order', 'path', 'environment']) assert.equal(applied[v], true, `${v} applied: ${JSON.stringify(rep.variations)}`);
  const time = rep.variations.find((v) => v.name === 'time');
  if (time && !time.applied) assert.match(time.note ?? '', /faketime.*s apart/);
  const kept = path.join(ex.dir, 'out', 'hello.repro');
  assert.deepEqual((await fs.readdir(kept)).sort(), ['first', 'report.json', 'second']);
  assert.equal(await fs.readFile(path.join(kept, 'first', 'hello', 'SHA256SUMS'), 'utf8'), await fs.readFile(path.join(kept, 'second', 'hello', 'SHA256SUMS'), 'utf8'));
});

test('a target embedding date output, its build path and a directory-order tar: exit 1, each cause named', async () => {
  const r = await tarsmith(['repro', 'unrepro', '--json'], ex.dir);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const rep = JSON.parse(r.stdout) as Report;
  const by = Object.fromEntries(rep.differences.map((d) => [d.path, d.hints.map((h) => h.cause)]));
  assert.deepEqual(Object.keys(by).sort(), ['SHA256SUMS', 'data.tar', 'sbom.cdx.json', 'stamp.txt', 'where.txt'], JSON.stringify(rep.differences, null, 1));
  assert.deepEqual([by['SHA256SUMS'], by['sbom.cdx.json']], [['derived'], ['derived']], 'the sums and the SBOM follow the artifacts');
  assert.ok(by['stamp.txt']?.includes('date-time'), JSON.stringify(rep.differences));
  assert.ok(by['where.txt']?.includes('build-path'), JSON.stringify(rep.differences));
  assert.equal(by['data.tar']?.[0], 'archive-order', JSON.stringify(rep.differences));
  assert.ok(rep.diagnostics.some((d) => d.code === 'repro.differs'));
  // scripts/setup-deps.sh installs diffoscope-minimal: its report is written beside.
  const ds = (JSON.parse(r.stdout) as { diffoscope: { ran: boolean; reports: string[] } }).diffoscope;
  assert.deepEqual(ds, { ran: true, reports: ['diffoscope.txt'], note: "diffoscope's report: diffoscope.txt" });
  assert.match(await fs.readFile(path.join(ex.dir, 'out', 'hello-unrepro.repro', 'diffoscope.txt'), 'utf8'), /^--- first\/hello-unrepro/m);
  const text = await tarsmith(['repro', 'unrepro', '--variations', 'build-path'], ex.dir);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /where\.txt: content differs/);
  assert.match(text.stdout, /cause: build-path: embeds the build path: "\/tarsmith-repro\/build-path-varied" in the second build/);
  assert.match(text.stderr, /error\[repro\.differs\]/);
});

test('__DATE__ and __TIME__ honour SOURCE_DATE_EPOCH: the target passes', async () => {
  const r = await tarsmith(['repro', 'cdate'], ex.dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /is reproducible/);
});

test('a real upstream tarball from Debian\'s source archive (libcli 1.10.7) passes repro offline', async () => {
  // Fetched at test time from the deb-src entry scripts/setup-deps.sh adds; apt verifies it against the
  // signed Sources index. Only the upstream tarball is needed (the .dsc and Debian's packaging are not).
  const dl = await fs.mkdtemp(path.join(ex.dir, 'apt-source-'));
  const got = await run(['apt-get', 'source', '--download-only', 'libcli/trixie'], { cwd: dl });
  const orig = path.join(dl, 'libcli_1.10.7.orig.tar.gz');
  assert.ok(await fs.stat(orig).catch(() => undefined), `apt-get source fetched no libcli_1.10.7.orig.tar.gz:\n${got.stdout}${got.stderr}`);
  const lib = await exampleCopy(async (dir) => {
    await fs.copyFile(orig, path.join(dir, 'packages', 'libcli_1.10.7.orig.tar.gz'));
    return `version: 1
name: libcli
sourceDateEpoch: 1700000000
platform: linux/amd64
sources:
  - { name: libcli, file: packages/libcli_1.10.7.orig.tar.gz, strip: 1, license: LGPL-2.1-only }
builder:
  rootfs: packages/rootfs-bookworm-buildd.tar
  family: apt
build:
  workdir: libcli
  targets:
    libcli:
      # As Debian builds it: the build path mapped out of the debug info.
      steps: ['make CFLAGS="-ffile-prefix-map=$PWD=."']
      artifacts: [{ path: "libcli.so*", rename: lib/ }, { path: libcli.a, rename: lib/libcli.a }, clitest, libcli.h]
`;
  });
  try {
    const r = await tarsmith(['repro', '--json'], lib.dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const rep = JSON.parse(r.stdout) as Report;
    assert.equal(rep.ok, true);
    const kept = path.join(lib.dir, 'out', 'libcli.repro', 'first', 'libcli');
    assert.equal(await fs.readlink(path.join(kept, 'lib', 'libcli.so')), 'libcli.so.1.10', 'the symlinks are compared too');
  } finally {
    await lib.cleanup();
  }
});
