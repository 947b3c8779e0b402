import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { chainProject, stageSpan, stepVertices } from './components-rig.js';
import { dockerClient, run, tarsmith } from './build-rig.js';

const overlaps = (a: { first: number; end: number }, b: { first: number; end: number }) => a.first < b.end && b.first < a.end;

test('components: libcli and libnetfilter_conntrack (Debian .orig tarballs) and a library over both, each its own stage', async () => {
  const p = await chainProject();
  const docker = await dockerClient();
  let tag: string | undefined;
  try {
    const t = await tarsmith(['toolchain', '--json'], p.dir);
    assert.equal(t.code, 0, t.stderr);
    tag = (JSON.parse(t.stdout) as { tag: string }).tag;
    const out = path.join(p.dir, 'out', 'chain');
    const log = path.join(p.dir, 'out', 'chain.log');

    // Cold: every component builds; the final library links against both (--no-undefined in its Makefile).
    const cold = await tarsmith(['build', '--no-cache', '--progress', 'plain'], p.dir);
    assert.equal(cold.code, 0, cold.stderr);
    const lib = path.join(out, 'usr/lib/libnfcli.so.1.0');
    const dyn = await run(['readelf', '-d', lib]);
    assert.match(dyn.stdout, /NEEDED.*\[libcli\.so\.1\.10\]/);
    assert.match(dyn.stdout, /NEEDED.*\[libnetfilter_conntrack\.so\.3\]/);
    assert.match((await run(['nm', '-D', '--undefined-only', lib])).stdout, /U cli_init\n[\s\S]*U nfct_new/);
    const record = JSON.parse(await fs.readFile(path.join(out, 'tarsmith-build.json'), 'utf8')) as { symlinks: { path: string; target: string }[]; components: Record<string, { depends: string[]; sources: { name: string }[] }> };
    // Symlinks kept and recorded, from two install trees.
    assert.deepEqual(record.symlinks.filter((l) => l.path.endsWith('.so') || l.path.endsWith('.so.1')).map((l) => `${l.path} -> ${l.target}`).sort(), [
      'lib/libcli.so -> libcli.so.1.10',
      'lib/libnetfilter_conntrack.so -> libnetfilter_conntrack.so.3.8.0',
      'usr/lib/libnfcli.so -> libnfcli.so.1',
      'usr/lib/libnfcli.so.1 -> libnfcli.so.1.0',
    ]);
    assert.equal((await fs.lstat(path.join(out, 'lib/libcli.so'))).isSymbolicLink(), true);
    assert.deepEqual(Object.keys(record.components).sort(), ['libcli', 'nfcli', 'nfct']);
    assert.deepEqual(record.components.nfcli?.depends, ['libcli', 'nfct']);
    // The two independent components built at the same time: the RUN vertices of one stage (its extraction and
    // its steps) ran while those of the other did. Their steps alone need not overlap: libcli's make is done
    // before nfct's extraction is, on a fast machine.
    const text = await fs.readFile(log, 'utf8');
    const v = stepVertices(text);
    const of = (c: string) => v.filter((x) => x.label.startsWith(`components.${c}.`));
    assert.ok(of('libcli').length >= 2 && of('nfct').length >= 3, JSON.stringify(v));
    const [a, b] = [stageSpan(text, 'component-libcli'), stageSpan(text, 'component-nfct')];
    assert.ok(a && b && overlaps(a, b), `the stages of libcli and nfct did not overlap: ${JSON.stringify({ libcli: a, nfct: b })}`);
    assert.ok(v.every((x) => !x.cached), 'a cold build caches nothing');
    const coldSums = await fs.readFile(path.join(out, 'SHA256SUMS'), 'utf8');

    // A change to the leaf's source rebuilds the leaf only.
    await p.changeLeaf();
    assert.equal((await tarsmith(['vendor'], p.dir)).code, 0);
    const leaf = await tarsmith(['build', '--progress', 'plain'], p.dir);
    assert.equal(leaf.code, 0, leaf.stderr);
    const w = stepVertices(await fs.readFile(log, 'utf8'));
    const cachedOf = (c: string) => w.filter((x) => x.label.startsWith(`components.${c}.`)).map((x) => x.cached);
    assert.deepEqual([...new Set(cachedOf('libcli'))], [true], JSON.stringify(w));
    assert.deepEqual([...new Set(cachedOf('nfct'))], [true], JSON.stringify(w));
    assert.deepEqual([...new Set(cachedOf('nfcli'))], [false], JSON.stringify(w));
    const leafSums = await fs.readFile(path.join(out, 'SHA256SUMS'), 'utf8');
    const line = (sums: string, f: string) => sums.split('\n').find((l) => l.endsWith(`  ${f}`));
    assert.notEqual(line(leafSums, 'usr/lib/libnfcli.so.1.0'), line(coldSums, 'usr/lib/libnfcli.so.1.0'));
    assert.equal(line(leafSums, 'lib/libcli.so.1.10.7'), line(coldSums, 'lib/libcli.so.1.10.7'));

    // Reproducible: the whole chain rebuilt without the cache gives the same bytes.
    const again = await tarsmith(['build', '--no-cache'], p.dir);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await fs.readFile(path.join(out, 'SHA256SUMS'), 'utf8'), leafSums);
  } finally {
    if (tag) await run([docker, 'image', 'rm', tag]);
    await p.cleanup();
  }
});
