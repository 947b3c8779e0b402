import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SHELLS, lockEntry, makeRig, makeTarball, manifest, sha256, source, type Rig } from './rig.js';

const NFL = 'https://www.netfilter.org/projects/libnfnetlink/files/libnfnetlink-1.0.1.tar.bz2';
const CT = 'https://www.netfilter.org/pub/libnetfilter_conntrack/libnetfilter_conntrack-1.0.9.tar.bz2';

let rig: Rig;
let nflBytes: Buffer;
before(async () => {
  rig = await makeRig(async (packages) => {
    // A real tarball, and a file whose bytes include every byte value (byte-for-byte delivery).
    const nfl = await makeTarball(packages, 'libnfnetlink-1.0.1.tar.gz', { 'configure': '#!/bin/sh\n' }, 'libnfnetlink-1.0.1');
    nflBytes = await fs.readFile(path.join(packages, 'libnfnetlink-1.0.1.tar.gz'));
    const all = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    await fs.writeFile(path.join(packages, 'ct.tar.bz2'), all);
    await fs.writeFile(path.join(packages, 'tampered.tar.gz'), 'not what the lock says');
    const m = manifest([
      source('libnfnetlink', { kind: 'url', url: NFL, mirrors: [] }),
      source('conntrack', { kind: 'file', file: 'vendor/ct.tar.bz2' }, [`http://www.netfilter.org/pub/libnetfilter_conntrack/libnetfilter_conntrack-1.0.9.tar.bz2`]),
      source('tampered', { kind: 'url', url: 'https://example.org/tampered.tar.gz', mirrors: [] }),
    ]);
    return {
      manifest: m,
      lock: {
        sources: {
          libnfnetlink: lockEntry('libnfnetlink-1.0.1.tar.gz', nfl, 'url', { url: NFL }),
          conntrack: lockEntry('ct.tar.bz2', sha256(all), 'file'),
          tampered: lockEntry('tampered.tar.gz', '0'.repeat(64), 'url'),
        },
      },
    };
  });
});
after(() => rig.cleanup());

for (const shell of SHELLS) {
  describe(`wget and curl stand-ins under ${shell.join(' ')}`, () => {
    let ws: string;
    before(async () => {
      ws = await fs.mkdtemp(path.join(rig.work, `${shell[0]}-`));
    });

    test('wget -q -P DIR URL and wget -O FILE deliver the vendored file byte for byte', async () => {
      const r = await rig.run(shell, 'wget', ['-q', '-P', 'dl', NFL], ws);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await fs.readFile(path.join(ws, 'dl/libnfnetlink-1.0.1.tar.bz2')), nflBytes);
      const o = await rig.run(shell, 'wget', ['--quiet', `--output-document=${path.join(ws, 'ct.bin')}`, CT], ws);
      assert.equal(o.code, 0, o.stderr);
      const bytes = await fs.readFile(path.join(ws, 'ct.bin'));
      assert.equal(bytes.length, 512);
      assert.equal(bytes[255], 255);
      const stdout = await rig.run(shell, 'wget', ['-q', '-O', '-', CT.replace('https:', 'http:')], ws);
      assert.equal(stdout.code, 0, stdout.stderr);
      assert.equal(stdout.stdout, bytes.toString('utf8'));
    });

    test('curl -sSfL -o FILE, curl -O and curl to stdout deliver the vendored file', async () => {
      const r = await rig.run(shell, 'curl', ['-sSfL', '-o', 'out.tar.gz', NFL], ws);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await fs.readFile(path.join(ws, 'out.tar.gz')), nflBytes);
      const remote = await rig.run(shell, 'curl', ['-L', '-O', `${CT}`], ws);
      assert.equal(remote.code, 0, remote.stderr);
      assert.equal((await fs.readFile(path.join(ws, 'libnetfilter_conntrack-1.0.9.tar.bz2'))).length, 512);
      const combined = await rig.run(shell, 'curl', ['-sSLo', 'sub/c.tar.gz', '--create-dirs', NFL], ws);
      assert.equal(combined.code, 0, combined.stderr);
      assert.deepEqual(await fs.readFile(path.join(ws, 'sub/c.tar.gz')), nflBytes);
    });

    test('an unvendored URL fails with the command, the URL and the sources: entry to add', async () => {
      const url = 'https://ftp.example.org/pub/libmnl-1.0.5.tar.bz2';
      const w = await rig.run(shell, 'wget', ['-q', url], ws);
      assert.equal(w.code, 8);
      assert.match(w.stderr, /tarsmith: wget -q https:\/\/ftp\.example\.org\/pub\/libmnl-1\.0\.5\.tar\.bz2: .* is not vendored/);
      assert.match(w.stderr, /\n {2}- name: libmnl-1\.0\.5\n {4}url: https:\/\/ftp\.example\.org\/pub\/libmnl-1\.0\.5\.tar\.bz2\n/);
      const c = await rig.run(shell, 'curl', ['-fsSL', '-o', 'x', `${NFL}.sig`], ws);
      assert.equal(c.code, 22);
      assert.match(c.stderr, /url: https:\/\/www\.netfilter\.org\/.*libnfnetlink-1\.0\.1\.tar\.bz2\.sig/);
      await assert.rejects(fs.stat(path.join(ws, 'x')));
      // The suggested entry is valid as pasted: its name follows the manifest's pattern.
      const bare = await rig.run(shell, 'curl', ['-fsS', 'http://127.0.0.1:9/'], ws);
      assert.match(bare.stderr, /\n {2}- name: 127\.0\.0\.1-9\n {4}url: http:\/\/127\.0\.0\.1:9\/?\n/);
      const odd = await rig.run(shell, 'wget', ['-q', 'https://example.org/dl/_weird%20name?x=1'], ws);
      assert.match(odd.stderr, /\n {2}- name: source_weird-20name\n/);
    });

    test('a vendored file whose hash differs from the lock is refused; unknown options are named', async () => {
      const t = await rig.run(shell, 'wget', ['-q', 'https://example.org/tampered.tar.gz'], ws);
      assert.notEqual(t.code, 0);
      assert.match(t.stderr, /sha256 .* differs from the lock/);
      await assert.rejects(fs.stat(path.join(ws, 'tampered.tar.gz')));
      const u = await rig.run(shell, 'curl', ['--doh-url', 'x', NFL], ws);
      assert.notEqual(u.code, 0);
      assert.match(u.stderr, /option --doh-url is not supported by the offline stand-in/);
    });
  });
}
