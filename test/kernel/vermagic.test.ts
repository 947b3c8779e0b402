import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { checkModules, readModinfo } from '../../src/kernel/vermagic.js';

const run = promisify(execFile);

/** An ELF object with a .modinfo section, made by the real compiler (what modpost puts into every .ko). */
async function fakeKo(dir: string, rel: string, vermagic: string): Promise<string> {
  const c = path.join(dir, 'm.c');
  await fs.writeFile(c, `__attribute__((section(".modinfo"), used)) static const char a[] = "license=GPL";\n__attribute__((section(".modinfo"), used)) static const char b[] = "vermagic=${vermagic}";\n`);
  const out = path.join(dir, ...rel.split('/'));
  await fs.mkdir(path.dirname(out), { recursive: true });
  await run('gcc', ['-c', '-o', out, c]);
  return out;
}

test('readModinfo: the .modinfo strings of an ELF object, as readelf sees them; never throws on junk', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-vermagic-'));
  try {
    const ko = await fakeKo(dir, 'a.ko', '6.12.118 SMP mod_unload ');
    const r = readModinfo(await fs.readFile(ko));
    assert.ok(r.ok);
    assert.deepEqual(r.module.info.get('vermagic'), ['6.12.118 SMP mod_unload ']);
    assert.deepEqual(r.module.info.get('license'), ['GPL']);
    const readelf = (await run('readelf', ['-h', ko])).stdout;
    assert.equal(r.module.machine === 62, /Advanced Micro Devices X86-64/.test(readelf));
    assert.deepEqual(readModinfo(Buffer.from('not an elf file at all, just text that is long enough to look at')), { ok: false, reason: 'not an ELF file' });
    const cut = (await fs.readFile(ko)).subarray(0, 80);
    assert.equal(readModinfo(cut).ok, false);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('checkModules: a .ko built for another kernel is refused by name, with both vermagics', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-vermagic-'));
  try {
    await fakeKo(dir, 'modules/cdx/cdx.ko', '6.12.118 mod_unload ');
    await fakeKo(dir, 'modules/fci/fci.ko', '6.1.0-13-amd64 SMP preempt mod_unload modversions ');
    const { report, failures } = await checkModules(dir, '6.12.118 mod_unload ');
    assert.deepEqual(report.modules.map((m) => [m.path, m.ok]), [['modules/cdx/cdx.ko', true], ['modules/fci/fci.ko', false]]);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.code, 'kernel.vermagic-mismatch');
    assert.equal(failures[0]?.message, 'the module modules/fci/fci.ko was not built against this build\'s kernel: its vermagic is "6.1.0-13-amd64 SMP preempt mod_unload modversions ", the kernel\'s is "6.12.118 mod_unload "');
    const none = await checkModules(dir, undefined);
    assert.equal(none.failures.length, 2, 'modules from a kernel without module support are refused');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('checkModules with a declared signing key: a module without the signature trailer is refused by name', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-vermagic-'));
  try {
    const signed = await fakeKo(dir, 'modules/cdx/cdx.ko', '6.12.118 mod_unload ');
    await fakeKo(dir, 'modules/fci/fci.ko', '6.12.118 mod_unload ');
    // what sign-file appends: the signature, struct module_signature (sig_len last, big endian), the magic
    const sig = Buffer.alloc(16, 7);
    const info = Buffer.alloc(12);
    info.writeUInt32BE(sig.length, 8);
    await fs.appendFile(signed, Buffer.concat([sig, info, Buffer.from('~Module signature appended~\n', 'latin1')]));
    const { report, failures } = await checkModules(dir, '6.12.118 mod_unload ', { signed: true });
    assert.deepEqual(report.modules.map((m) => [m.path, m.signed, m.ok]), [['modules/cdx/cdx.ko', true, true], ['modules/fci/fci.ko', false, false]]);
    assert.deepEqual(failures.map((f) => [f.code, f.message]), [['kernel.module-unsigned', 'the module modules/fci/fci.ko is not signed, and the build declares a module signing key (kernel.signingKey)']]);
    assert.deepEqual((await checkModules(dir, '6.12.118 mod_unload ')).failures, [], 'without a declared key, no signature is required');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
