/**
 * Module signing with a persistent key (kernel.signingKey), end to end on Debian's linux-source-6.12: the key is a
 * private plain-file source, so it never enters the build context or a layer; a config that would not sign with it
 * stops before compiling, naming the line to add; then the out-of-tree module is signed with it by the kernel's
 * own sign-file (the signature verifies against the key's certificate with openssl), and a --no-cache rebuild
 * gives the same .ko bytes (an RSA key signs deterministically).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from './build-rig.js';
import { kernelProject } from './kernel-rig.js';

const KEY_PATH = '/run/tarsmith/module-signing-key.pem';
const MAGIC = '~Module signature appended~\n';

/** The module's data and its detached PKCS#7 signature, as include/linux/module_signature.h lays them out. */
function splitSigned(ko: Buffer): { data: Buffer; sig: Buffer } {
  const end = ko.length - MAGIC.length;
  assert.equal(ko.subarray(end).toString('latin1'), MAGIC, 'the module carries a signature');
  const sigLen = ko.readUInt32BE(end - 4);
  const sigStart = end - 12 - sigLen;
  return { data: ko.subarray(0, sigStart), sig: ko.subarray(sigStart, end - 12) };
}

test('kernel.signingKey: modules signed with the declared key, verifiable, the same bytes on every build; a config that would not use it stops before compiling', async () => {
  const keys = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-signing-'));
  try {
    const gen = await run(['openssl', 'req', '-new', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '36500', '-subj', '/CN=tarsmith test signing key/', '-keyout', path.join(keys, 'key.pem'), '-out', path.join(keys, 'cert.pem')]);
    assert.equal(gen.code, 0, gen.stderr);
    const cert = await fs.readFile(path.join(keys, 'cert.pem'), 'utf8');
    const pem = (await fs.readFile(path.join(keys, 'key.pem'), 'utf8')) + cert;
    const p = await kernelProject({
      kernel: '  source: linux\n  arch: x86_64\n  defconfig: tinyconfig\n  fragments: [kernel/gw.config]\n  signingKey: signing-key\n  build: modules_prepare\n',
      targets: '    gateway:\n      kernel: true\n      modules: [cdx]\n      steps: [make userspace]\n      artifacts: [bin/cmm]\n',
      sources: '  - name: signing-key\n    file: keys/signing_key.pem\n    private: true\n    extract: false\n',
      files: { 'keys/signing_key.pem': pem, 'kernel/gw.config': 'CONFIG_MODULES=y\nCONFIG_MODULE_SIG=y\n' },
    });
    try {
      // signing on, but with the kernel's default key path: refused before compiling, naming the line to add
      const bad = await p.tarsmith(['build']);
      assert.equal(bad.code, 1, bad.stderr);
      assert.match(bad.stderr, /error\[kernel\.signing-key-path\]: the resolved kernel config signs modules with CONFIG_MODULE_SIG_KEY="certs\/signing_key\.pem", not with the declared key "signing-key"/);
      assert.ok(bad.stderr.includes(`add CONFIG_MODULE_SIG_KEY="${KEY_PATH}" to a kernel fragment`), bad.stderr);
      await fs.access(path.join(p.dir, 'out', 'gw')).then(() => assert.fail('nothing is exported'), () => undefined);

      await fs.writeFile(path.join(p.dir, 'kernel', 'gw.config'), `CONFIG_MODULES=y\nCONFIG_MODULE_SIG=y\nCONFIG_MODULE_SIG_KEY="${KEY_PATH}"\n`);
      const v = await p.tarsmith(['vendor']);
      assert.equal(v.code, 0, v.stderr);
      const ok = await p.tarsmith(['build', '--progress', 'plain']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, /kernel: 1 module\(s\) match the kernel's vermagic "[^"]+", each with a module signature/);
      const ko = path.join(p.dir, 'out', 'gw', 'modules', 'cdx', 'cdx.ko');
      const first = await fs.readFile(ko);
      const { data, sig } = splitSigned(first);
      await fs.writeFile(path.join(keys, 'data.bin'), data);
      await fs.writeFile(path.join(keys, 'sig.der'), sig);
      const verify = await run(['openssl', 'cms', '-verify', '-binary', '-inform', 'DER', '-in', path.join(keys, 'sig.der'), '-content', path.join(keys, 'data.bin'), '-certfile', path.join(keys, 'cert.pem'), '-nointern', '-noverify', '-out', '/dev/null']);
      assert.equal(verify.code, 0, `the signature verifies against the declared key's certificate: ${verify.stderr}`);
      // the key never reaches the exported files or the build context
      const keyBody = (await fs.readFile(path.join(keys, 'key.pem'), 'utf8')).split('\n')[1] as string;
      const exported = await run(['grep', '-rlF', keyBody, path.join(p.dir, 'out')]);
      assert.equal(exported.stdout, '', 'no exported file holds the key');

      const again = await p.tarsmith(['build', '--no-cache']);
      assert.equal(again.code, 0, again.stderr);
      assert.ok(first.equals(await fs.readFile(ko)), 'the signed module has the same bytes after a --no-cache rebuild');
    } finally {
      await p.cleanup();
    }
  } finally {
    await fs.rm(keys, { recursive: true, force: true });
  }
});
