/**
 * Reading a kernel module's `.modinfo` (ELF section of `key=value\0` strings) and checking that every exported
 * `.ko` was built against the kernel of this build: its vermagic must be the one the kernel itself gave to a probe
 * module built in the kernel stage (release, SMP/preempt/mod_unload/modversions flags, arch, randstruct hash).
 * The ELF reader handles 32/64-bit, little/big endian, and never throws on a malformed file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, type Failure } from '../core/errors.js';

export interface ModuleInfo {
  /** ELF e_machine: 62 x86-64, 183 AArch64, 40 ARM, 243 RISC-V, 3 i386. */
  machine: number;
  bits: 32 | 64;
  info: Map<string, string[]>;
}

export type ModinfoResult = { ok: true; module: ModuleInfo } | { ok: false; reason: string };

export const ELF_MACHINES: Record<number, string> = { 3: 'i386', 40: 'arm', 62: 'x86-64', 183: 'aarch64', 243: 'riscv', 8: 'mips', 21: 'ppc64' };

/** Parse an ELF file's `.modinfo` section. */
export function readModinfo(buf: Buffer): ModinfoResult {
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46) return { ok: false, reason: 'not an ELF file' };
  const bits = buf[4] === 2 ? 64 : buf[4] === 1 ? 32 : 0;
  const le = buf[5] === 1;
  if (!bits || (buf[5] !== 1 && buf[5] !== 2)) return { ok: false, reason: 'unknown ELF class or byte order' };
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const word = (o: number) => (bits === 64 ? Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o));
  try {
    const machine = u16(18);
    const shoff = word(bits === 64 ? 40 : 32);
    const [shentsize, shnum, shstrndx] = bits === 64 ? [u16(58), u16(60), u16(62)] : [u16(46), u16(48), u16(50)];
    const sh = (i: number) => {
      const o = shoff + i * shentsize;
      return bits === 64
        ? { name: u32(o), offset: word(o + 24), size: word(o + 32) }
        : { name: u32(o), offset: u32(o + 16), size: u32(o + 20) };
    };
    const strtab = sh(shstrndx);
    for (let i = 0; i < shnum; i++) {
      const s = sh(i);
      const nameStart = strtab.offset + s.name;
      const nameEnd = buf.indexOf(0, nameStart);
      if (buf.toString('latin1', nameStart, nameEnd) !== '.modinfo') continue;
      if (s.offset + s.size > buf.length) return { ok: false, reason: 'truncated .modinfo section' };
      const info = new Map<string, string[]>();
      for (const kv of buf.toString('utf8', s.offset, s.offset + s.size).split('\0')) {
        const eq = kv.indexOf('=');
        if (eq <= 0) continue;
        const k = kv.slice(0, eq);
        info.set(k, [...(info.get(k) ?? []), kv.slice(eq + 1)]);
      }
      return { ok: true, module: { machine, bits: bits as 32 | 64, info } };
    }
    return { ok: false, reason: 'no .modinfo section (not a kernel module)' };
  } catch {
    return { ok: false, reason: 'malformed ELF headers' };
  }
}

async function findKo(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await fs.readdir(path.join(dir, prefix), { withFileTypes: true }).catch(() => []);
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await findKo(dir, rel)));
    else if (e.isFile() && e.name.endsWith('.ko')) out.push(rel);
  }
  return out;
}

export interface VermagicCheck {
  expected?: string;
  modules: { path: string; vermagic?: string; machine?: string; signed?: boolean; ok: boolean; problem?: string }[];
}

/** The trailer the kernel's sign-file appends to a signed module (include/linux/module_signature.h). */
const SIGNATURE_MAGIC = Buffer.from('~Module signature appended~\n', 'latin1');

export function isSigned(ko: Buffer): boolean {
  return ko.length > SIGNATURE_MAGIC.length && ko.subarray(ko.length - SIGNATURE_MAGIC.length).equals(SIGNATURE_MAGIC);
}

/**
 * Check every `.ko` under `dir` against the kernel's vermagic (undefined: the kernel has modules disabled); with
 * `signed`, each must also carry a module signature (a declared signing key).
 */
export async function checkModules(dir: string, expected: string | undefined, opts: { signed?: boolean } = {}): Promise<{ report: VermagicCheck; failures: Failure[] }> {
  const report: VermagicCheck = { ...(expected !== undefined ? { expected } : {}), modules: [] };
  const failures: Failure[] = [];
  for (const rel of await findKo(dir)) {
    const bytes = await fs.readFile(path.join(dir, ...rel.split('/')));
    const r = readModinfo(bytes);
    const vermagic = r.ok ? r.module.info.get('vermagic')?.[0] : undefined;
    const machine = r.ok ? (ELF_MACHINES[r.module.machine] ?? `machine ${r.module.machine}`) : undefined;
    let problem: string | undefined;
    if (!r.ok) problem = r.reason;
    else if (vermagic === undefined) problem = 'it has no vermagic';
    else if (expected === undefined) problem = 'the kernel of this build has modules disabled (CONFIG_MODULES is not set)';
    else if (vermagic !== expected) problem = `its vermagic is "${vermagic}", the kernel's is "${expected}"`;
    const signed = opts.signed ? isSigned(bytes) : undefined;
    const unsigned = problem === undefined && signed === false;
    if (unsigned) problem = 'it is not signed';
    report.modules.push({ path: rel, ...(vermagic !== undefined ? { vermagic } : {}), ...(machine ? { machine } : {}), ...(signed !== undefined ? { signed } : {}), ok: problem === undefined, ...(problem ? { problem } : {}) });
    if (unsigned) {
      failures.push({
        code: 'kernel.module-unsigned',
        message: `the module ${rel} is not signed, and the build declares a module signing key (kernel.signingKey)`,
        value: rel,
        exit: ExitCode.engine,
        hint: 'list its folder under build.targets.<t>.modules (tarsmith signs those with the declared key), sign it in the step with "$KDIR/scripts/sign-file", or set CONFIG_MODULE_SIG_ALL=y for the kernel\'s own modules',
      });
    } else if (problem) {
      failures.push({
        code: 'kernel.vermagic-mismatch',
        message: `the module ${rel} was not built against this build's kernel: ${problem}`,
        value: rel,
        exit: ExitCode.engine,
        hint: 'build it with make -C "$KDIR" M=<folder> (the Makefile must use the KDIR tarsmith sets, not /lib/modules/$(uname -r)/build), or list it under build.targets.<t>.modules',
      });
    }
  }
  return { report, failures };
}
