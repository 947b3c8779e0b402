import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { ROOT, dockerClient, exampleCopy, run, tarsmith } from './build-rig.js';

test('build exports the artifacts; the binary runs on the host; a second build gives identical SHA256SUMS', async () => {
  const ex = await exampleCopy();
  try {
    const r1 = await tarsmith(['build', '--json'], ex.dir);
    assert.equal(r1.code, 0, r1.stderr);
    const res = JSON.parse(r1.stdout) as { ok: boolean; out: string; artifacts: { path: string }[]; context: { size: number } };
    assert.equal(res.out, path.join(ex.dir, 'out', 'hello'));
    assert.deepEqual(res.artifacts.map((a) => a.path), ['hello', 'include/greet.h', 'lib/libgreet.a']);
    assert.match(r1.stderr, /build context: \d+ files, [\d.]+ MiB/);
    const out = path.join(ex.dir, 'out', 'hello');
    assert.deepEqual((await fs.readdir(out)).sort(), ['SHA256SUMS', 'hello', 'include', 'lib', 'provenance.json', 'sbom.cdx.json', 'tarsmith-build.json']);
    const hello = await run([path.join(out, 'hello'), 'e2e']);
    assert.equal(hello.stdout, 'hello, e2e (hello 1.0.0)\n', 'the stamped version, not one from the tarball\'s .git');
    assert.equal(await fs.readFile(path.join(out, 'include', 'greet.h'), 'utf8'), await fs.readFile(path.join(ROOT, 'examples', 'hello', 'upstream', 'greet.h'), 'utf8'));
    const record = JSON.parse(await fs.readFile(path.join(out, 'tarsmith-build.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(record.target, 'hello');
    assert.equal(record.sourceDateEpoch, 1700000000);
    assert.match(String(record.tarsmith), /^\d+\.\d+\.\d+/);
    assert.match(JSON.stringify(record.inputs), /17735aa0c0b5e15feabe9e44658a5406288a2e9c8331fc91a947f0a32e31a848/);
    const sums1 = await fs.readFile(path.join(out, 'SHA256SUMS'), 'utf8');
    assert.equal(sums1.trim().split('\n').length, 3);
    // The provenance's subjects are the artifacts as SHA256SUMS lists them; the rootfs and the source are dependencies.
    const prov = JSON.parse(await fs.readFile(path.join(out, 'provenance.json'), 'utf8')) as { subject: { name: string; digest: { sha256: string } }[]; predicate: { buildDefinition: { resolvedDependencies: { name: string }[]; internalParameters: { network: string } } } };
    assert.equal(prov.subject.map((s) => `${s.digest.sha256}  ${s.name}\n`).join(''), sums1);
    assert.deepEqual(prov.predicate.buildDefinition.resolvedDependencies.map((d) => d.name), ['source:hello', 'builder-rootfs']);
    assert.equal(prov.predicate.buildDefinition.internalParameters.network, 'none');
    const sbom = await fs.readFile(path.join(out, 'sbom.cdx.json'), 'utf8');
    assert.equal(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(sbom), null);
    assert.match(sbom, /"purl": "pkg:generic\/hello@1\.0\?checksum=sha256%3A17735aa0/);
    const attest1 = await fs.readFile(path.join(out, 'provenance.json'));

    const r2 = await tarsmith(['build'], ex.dir);
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(await fs.readFile(path.join(out, 'SHA256SUMS'), 'utf8'), sums1);
    assert.deepEqual(await fs.readFile(path.join(out, 'provenance.json')), attest1, 'the same provenance bytes for the same build');
    assert.deepEqual((await fs.readdir(path.join(ex.dir, 'out'))).filter((n) => n.startsWith('.')), [], 'no temp folders left');
  } finally {
    await ex.cleanup();
  }
});

test('a tampered input is refused before the engine is called', async () => {
  const ex = await exampleCopy();
  try {
    const tgz = path.join(ex.dir, 'packages', 'hello-1.0.tar.gz');
    const bytes = await fs.readFile(tgz);
    bytes[bytes.length - 9] = (bytes[bytes.length - 9]! + 1) % 256;
    await fs.writeFile(tgz, bytes);
    // A docker client that does not exist: reaching the engine would be exit 4 (engine.docker-missing).
    const r = await tarsmith(['build'], ex.dir, { ...process.env, TARSMITH_DOCKER: path.join(ex.dir, 'no-docker-here') });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /packages\/hello-1\.0\.tar\.gz/);
    assert.doesNotMatch(r.stderr, /engine\./);
    assert.equal(await fs.stat(path.join(ex.dir, 'out')).catch(() => undefined), undefined, 'nothing built, no log');
  } finally {
    await ex.cleanup();
  }
});

test('image loads the runtime stage: FROM scratch, only the artifacts under /opt/hello/; two --no-cache runs give the same image ID', async () => {
  const ex = await exampleCopy();
  const docker = await dockerClient();
  const tag = `tarsmith-e2e/hello:${path.basename(ex.dir).toLowerCase()}`;
  try {
    const r = await tarsmith(['image', '--no-cache', '--tag', tag, '--json'], ex.dir);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { tag: string; imageId: string };
    assert.equal(res.tag, tag);
    const inspect = await run([docker, 'image', 'inspect', '--format', '{{.Id}} {{.Created}} {{len .RootFS.Layers}}', tag]);
    assert.equal(inspect.stdout.trim(), `${res.imageId} 2023-11-14T22:13:20Z 1`, inspect.stderr);
    // A cold rebuild (nothing cached, the binary compiled again at another time) is the same image, byte for byte.
    await run([docker, 'image', 'rm', tag]);
    const again = await tarsmith(['image', '--no-cache', '--tag', tag, '--json'], ex.dir);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { imageId: string }).imageId, res.imageId, 'the same image ID from two --no-cache runs');
    const created = await run([docker, 'create', tag, '/opt/hello/hello']);
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    try {
      const list = await run(['sh', '-c', `"$0" export "$1" | tar -tvf -`, docker, id]);
      assert.equal(list.code, 0, list.stderr);
      const files = list.stdout.split('\n').filter((l) => / opt\/.*[^/]$/.test(l)).map((l) => l.slice(l.indexOf(' opt/') + 1));
      assert.deepEqual(files.sort(), ['opt/hello/hello', 'opt/hello/include/greet.h', 'opt/hello/lib/libgreet.a'], list.stdout + list.stderr);
      assert.ok(!list.stdout.split('\n').some((l) => / (bin|usr)\//.test(l)), 'no builder files');
      assert.match(list.stdout, /^-rwxr-xr-x (root\/root|0\/0) .* opt\/hello\/hello$/m);
    } finally {
      await run([docker, 'rm', id]);
    }
  } finally {
    await run([docker, 'image', 'rm', tag]);
    await ex.cleanup();
  }
});
