import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { buildxConfig, exampleCopy, tarsmith } from './build-rig.js';

test('the buildx path builds the same artifacts as the DOCKER_BUILDKIT=1 docker build path', async () => {
  const config = await buildxConfig();
  const ex = await exampleCopy();
  try {
    const legacy = await tarsmith(['build', '--json'], ex.dir, { ...process.env, DOCKER_CONFIG: path.join(ex.dir, 'no-plugins') });
    assert.equal(legacy.code, 0, legacy.stderr);
    // (A system-wide buildx plugin would make this one buildx too; this machine's docker.io has none.)
    assert.match((JSON.parse(legacy.stdout) as { engine: { mode: string } }).engine.mode, /^(buildkit|buildx)$/);
    const sums = await fs.readFile(path.join(ex.dir, 'out', 'hello', 'SHA256SUMS'), 'utf8');

    const bx = await tarsmith(['build', '--json'], ex.dir, { ...process.env, DOCKER_CONFIG: config });
    assert.equal(bx.code, 0, bx.stderr);
    assert.equal((JSON.parse(bx.stdout) as { engine: { mode: string } }).engine.mode, 'buildx');
    assert.equal(await fs.readFile(path.join(ex.dir, 'out', 'hello', 'SHA256SUMS'), 'utf8'), sums);
    const record = JSON.parse(await fs.readFile(path.join(ex.dir, 'out', 'hello', 'tarsmith-build.json'), 'utf8')) as { engine: { buildx?: string } };
    assert.match(record.engine.buildx ?? '', /^\d+\.\d+/);
  } finally {
    await ex.cleanup();
  }
});
