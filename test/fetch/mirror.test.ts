/**
 * `tarsmith vendor --mirror DIR`: the `sources:` snippet `audit fetch` prints for an upstream tree, pasted as is,
 * vendors from a folder of tarballs and bare git repositories without touching the origins (a loopback server
 * counts every request), and the lock is the one the origins would give.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cli, git, makeRepo, makeTarball, project, readJson, sha256, startServer } from '../support/rig.js';
import type { Lock } from '../../src/lock/lock.js';

/** An upstream tree whose Makefile clones two repositories at a tag and wgets a tarball from the given origins. */
async function upstream(root: string, base: string): Promise<string> {
  const dir = path.join(root, 'upstream');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'Makefile'), [
    'TAG = v1',
    `NET = ${base}/files`,
    'sources:',
    `\tgit clone -b $(TAG) ${base}/git/nxp/fmlib.git sources/fmlib`,
    '\tgit clone --branch=$(TAG) https://github.com/nxp-qoriq/fmc sources/fmc',
    '\twget -P dl $(NET)/libcli-1.10.7.tar.gz',
    '',
  ].join('\n'));
  return dir;
}

test('vendor --mirror: the audit snippet, pasted, vendors from the folder with no request to any origin', async () => {
  const p = await project('mirror');
  const srv = await startServer();
  try {
    const repo = await makeRepo(p.root, 'fmlib-work');
    const fmc = await makeRepo(p.root, 'fmc-work');
    const mirror = path.join(p.root, 'mirror');
    await fs.mkdir(path.join(mirror, '127.0.0.1', 'git', 'nxp'), { recursive: true });
    git(p.root, ['clone', '-q', '--bare', repo, path.join(mirror, '127.0.0.1', 'git', 'nxp', 'fmlib.git')]);
    git(p.root, ['clone', '-q', '--bare', fmc, path.join(mirror, 'fmc.git')]);
    const libcli = await makeTarball(p.root, 'libcli-1.10.7', { 'clitest.c': 'int main(void){return 0;}\n' });
    await fs.writeFile(path.join(mirror, 'libcli-1.10.7.tar.gz'), libcli);

    const audit = execFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), '../../bin/tarsmith'), ['audit', 'fetch', await upstream(p.root, srv.base)], { encoding: 'utf8', env: p.env });
    const snippet = audit.slice(audit.indexOf('sources:'));
    assert.match(snippet, /git: http:\/\/127\.0\.0\.1:\d+\/git\/nxp\/fmlib\.git\n\s+ref: v1/);
    await fs.writeFile(path.join(p.dir, 'tarsmith.yaml'), `version: 1\nname: demo\nsourceDateEpoch: 1700000000\n${snippet}`);

    const r = await cli(p, ['vendor', '--mirror', mirror, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(srv.hits, [], 'no request reached the origin');
    const items = (JSON.parse(r.stdout) as { items: { name: string; via: string }[] }).items;
    assert.deepEqual(items.map((i) => [i.name, i.via]).sort(), [['fmc', 'mirror'], ['fmlib', 'mirror'], ['libcli-1.10.7', 'mirror']]);
    const lock = readJson<Lock>(path.join(p.dir, 'tarsmith.lock'));
    assert.equal(lock.sources.fmlib?.git, `${srv.base}/git/nxp/fmlib.git`, 'the lock names the origin, not the mirror');
    assert.equal(lock.sources.fmlib?.commit, git(repo, ['rev-parse', 'v1']));
    assert.equal(lock.sources.fmc?.git, 'https://github.com/nxp-qoriq/fmc');
    assert.equal(lock.sources['libcli-1.10.7']?.sha256, sha256(libcli));
    assert.equal(lock.sources['libcli-1.10.7']?.url, `${srv.base}/files/libcli-1.10.7.tar.gz`);

    // Without the mirror, a fresh vendor of the same manifest would go to the origins: the tarball from the
    // loopback server (same bytes, same lock entry); the GitHub clone cannot be reached here.
    srv.files.set('libcli-1.10.7.tar.gz', libcli);
    await fs.rm(path.join(p.dir, 'packages', 'libcli-1.10.7.tar.gz'));
    await fs.rm(path.join(p.cache, 'tarsmith', 'sha256'), { recursive: true, force: true });
    const again = await cli(p, ['vendor', '--frozen']);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(srv.hits, ['/files/libcli-1.10.7.tar.gz']);
  } finally {
    await srv.close();
    await p.cleanup();
  }
});

test('vendor --mirror: what the folder lacks comes from the origin, said on stderr; a bad folder is a usage error', async () => {
  const p = await project('mirror-miss');
  const srv = await startServer();
  try {
    const mirror = path.join(p.root, 'mirror');
    await fs.mkdir(mirror);
    const body = await makeTarball(p.root, 'x-1.0', { a: '1\n' });
    srv.files.set('x-1.0.tar.gz', body);
    await fs.writeFile(path.join(p.dir, 'tarsmith.yaml'), `version: 1\nname: demo\nsourceDateEpoch: 1700000000\nsources:\n  - name: x\n    url: ${srv.base}/files/x-1.0.tar.gz\n`);
    const r = await cli(p, ['vendor', '--mirror', mirror]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /source x: x-1\.0\.tar\.gz is not in the mirror folder\(s\); trying its origin/);
    assert.deepEqual(srv.hits, ['/files/x-1.0.tar.gz']);
    // A file under sha256/<hash> answers a locked source whatever its name.
    await fs.mkdir(path.join(mirror, 'sha256'));
    await fs.writeFile(path.join(mirror, 'sha256', sha256(body)), body);
    await fs.rm(path.join(p.dir, 'packages', 'x-1.0.tar.gz'));
    await fs.rm(path.join(p.cache, 'tarsmith', 'sha256'), { recursive: true, force: true });
    const r2 = await cli(p, ['vendor', '--mirror', mirror, '--frozen', '--json']);
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal((JSON.parse(r2.stdout) as { items: { via: string }[] }).items[0]?.via, 'mirror');
    assert.deepEqual(srv.hits, ['/files/x-1.0.tar.gz'], 'the second run was answered by the mirror');
    const bad = await cli(p, ['vendor', '--mirror', path.join(p.root, 'nope')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /error\[usage\.bad-mirror\]: --mirror .*nope is not a folder/);
  } finally {
    await srv.close();
    await p.cleanup();
  }
});

test('repoCandidates: host/path, path and last part, with and without .git', async () => {
  const { repoCandidates } = await import('../../src/fetch/local-mirror.js');
  assert.deepEqual(repoCandidates('https://github.com/nxp-qoriq/fmlib'), [
    'github.com/nxp-qoriq/fmlib.git', 'github.com/nxp-qoriq/fmlib', 'nxp-qoriq/fmlib.git', 'nxp-qoriq/fmlib', 'fmlib.git', 'fmlib',
  ]);
  assert.deepEqual(repoCandidates('git@github.com:nxp-qoriq/fmc.git').slice(0, 2), ['github.com/nxp-qoriq/fmc.git', 'github.com/nxp-qoriq/fmc']);
  assert.ok(!repoCandidates('https://x.org/../../etc').some((c) => c.includes('..')));
});
