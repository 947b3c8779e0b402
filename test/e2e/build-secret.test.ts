import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dockerClient, exampleCopy, run, tarsmith } from './build-rig.js';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

test('a private source is used by the build, yet its bytes are in no layer, history, config or exported file', async () => {
  const marker = `TARSMITH-PRIVATE-${randomBytes(16).toString('hex')}`;
  const keyText = `${marker}\n`;
  const ex = await exampleCopy(async (dir, manifest) => {
    const src = path.join(dir, 'sdk-src', 'sdk');
    await fs.mkdir(src, { recursive: true });
    await fs.writeFile(path.join(src, 'key.txt'), keyText);
    const t = await run(['tar', '-C', path.join(dir, 'sdk-src'), '-cf', path.join(dir, 'packages', 'sdk.tar'), 'sdk']);
    assert.equal(t.code, 0, t.stderr);
    await fs.rm(path.join(dir, 'sdk-src'), { recursive: true });
    const source = '  - name: sdk\n    file: packages/sdk.tar\n    strip: 1\n    into: /opt/sdk\n    private: true\n';
    const target = '    sec:\n      steps:\n        - make -j2\n        - sha256sum /opt/sdk/key.txt | cut -c1-64 > keyhash.txt\n      artifacts: [hello, keyhash.txt]\n';
    return `${manifest.replace('\nbuilder:\n', `\n${source}builder:\n`)}${target}`;
  });
  const docker = await dockerClient();
  const tag = `tarsmith-e2e/secret:${path.basename(ex.dir).toLowerCase()}`;
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-e2e-save-'));
  try {
    const b = await tarsmith(['build', 'sec'], ex.dir);
    assert.equal(b.code, 0, b.stderr);
    const out = path.join(ex.dir, 'out', 'hello-sec');
    const want = createHash('sha256').update(keyText).digest('hex');
    assert.equal((await fs.readFile(path.join(out, 'keyhash.txt'), 'utf8')).trim(), want, 'the build read the private source');
    for (const f of await filesUnder(out)) assert.ok(!(await fs.readFile(f)).includes(marker), `exported ${f}`);

    const i = await tarsmith(['image', 'sec', '--tag', tag], ex.dir);
    assert.equal(i.code, 0, i.stderr);
    const history = await run([docker, 'history', '--no-trunc', tag]);
    assert.equal(history.code, 0, history.stderr);
    assert.ok(!history.stdout.includes(marker), 'docker history');
    const inspect = await run([docker, 'image', 'inspect', tag]);
    assert.ok(!inspect.stdout.includes(marker) && !inspect.stdout.includes('sdk.tar'), 'image config');

    const saved = path.join(scratch, 'image.tar');
    const s = await run([docker, 'save', '-o', saved, tag]);
    assert.equal(s.code, 0, s.stderr);
    assert.ok(!(await fs.readFile(saved)).includes(marker), 'docker save stream');
    const x = await run(['tar', '-C', scratch, '-xf', saved]);
    assert.equal(x.code, 0, x.stderr);
    const manifest = JSON.parse(await fs.readFile(path.join(scratch, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
    const layers = manifest[0]?.Layers ?? [];
    assert.ok(layers.length > 0);
    for (const l of layers) {
      const bytes = await fs.readFile(path.join(scratch, l));
      assert.ok(!bytes.includes(marker), `layer ${l}`);
      const list = await run(['tar', '-tf', path.join(scratch, l)]);
      assert.ok(!/(^|\/)(sdk|sdk\.tar|key\.txt)$/m.test(list.stdout), `layer ${l} lists no private file`);
    }
  } finally {
    await run([docker, 'image', 'rm', tag]);
    await fs.rm(scratch, { recursive: true, force: true });
    await ex.cleanup();
  }
});
