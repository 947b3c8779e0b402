/**
 * Speed of the Kconfig engine on the real kernel tree (the shared extracted copy of linux-source-6.12), each
 * measured against the standard tool in the same run:
 *  1. parse the whole arm64 tree from the extracted folder (goal < 1 s), against the kernel's own parser
 *     (`conf_parse()` in kconfig-dump, built from the tree's scripts/kconfig);
 *  2. `tarsmith kconfig filter` of a 30-line fragment end to end (a whole process, parse cache cold and warm),
 *     against the grep-per-symbol approach (`grep -rqE "^\s*(menu)?config SYMBOL\b"` over the usual top-level
 *     folders, once per symbol) — goal ≥ 40×;
 *  3. from the .tar.xz directly, no extraction: cold (dominated by decompression) and cached, against
 *     `tar -xJf` of the same tarball;
 *  4. `kconfig resolve` (defconfig + a netfilter fragment) on arm64 and x86_64, in-process with the parse cache
 *     warm and as a whole `tarsmith` process, against the kernel's make path (`make defconfig`, `merge_config.sh
 *     -m`, `make olddefconfig` in an O= folder) — goal >= 10x faster warm, and warm under 1 s; the outputs must be
 *     byte-identical.
 * `TARSMITH_BENCH_KCONFIG=resolve` runs only 4; `TARSMITH_BENCH_KCONFIG=all-defconfigs` instead resolves every
 * defconfig of arm64, x86, arm and riscv with both and prints how many are byte-identical (long: minutes).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '../src/core/exec.js';
import { predictConfig } from '../src/kconfig/predict.js';
import { loadKconfig } from '../src/kconfig/tree.js';
import { kernelMake } from '../test/kconfig/kernel-make.js';
import { kernelTree } from '../test/kconfig/kernel-tree.js';
import { median, timedCall as timed } from './lib.js';

const bin = fileURLToPath(new URL('../bin/tarsmith', import.meta.url));
const GREP_FOLDERS = ['arch', 'drivers', 'fs', 'init', 'kernel', 'lib', 'mm', 'net', 'security', 'sound', 'usr', 'virt'];

const FRAGMENT_SYMBOLS = [
  'NETFILTER_XTABLES_LEGACY', 'IP_NF_IPTABLES_LEGACY', 'IP6_NF_IPTABLES_LEGACY', 'NETFILTER_XTABLES', 'BRIDGE',
  'VETH', 'OVERLAY_FS', 'CGROUPS', 'MEMCG', 'BLK_CGROUP', 'CGROUP_PIDS', 'NAMESPACES', 'USER_NS', 'SECCOMP',
  'CRYPTO_SHA256', 'CRYPTO_AES', 'BLK_DEV_INTEGRITY', 'SYSTEM_TRUSTED_KEYRING', 'EXT4_FS', 'BTRFS_FS', 'VIRTIO_NET',
  'VIRTIO_BLK', 'ARM64_VA_BITS_48', 'USB_EHCI_HCD', 'NF_TABLES', 'NFT_COMPAT', 'DOES_NOT_EXIST_A', 'IKCONFIG',
  'DOES_NOT_EXIST_B', 'BPF_SYSCALL',
];

const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

async function parseBench(dir: string, dump: string, env: NodeJS.ProcessEnv): Promise<void> {
  const cold = await timed(() => loadKconfig({ kernel: dir, arch: 'arm64', cacheDir: false }));
  const warm: number[] = [];
  const warmCpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = await timed(() => loadKconfig({ kernel: dir, arch: 'arm64', cacheDir: false }));
    warm.push(t.ms);
    warmCpu.push(t.cpuMs);
  }
  const kernel: number[] = [];
  for (let i = 0; i < 3; i++) kernel.push((await timed(() => exec([dump, 'Kconfig'], { cwd: dir, env, capture: false }))).ms);
  const w = median(warm);
  console.log(`parse arm64 (folder, ${cold.value.symbols.size} symbols, ${cold.value.files.length} files): ` +
    `first ${fmt(cold.ms)}, warm median ${fmt(w)} wall / ${fmt(median(warmCpu))} CPU ` +
    `(goal < 1 s: ${w < 1000 ? 'met' : median(warmCpu) < 1000 ? 'met in CPU time, machine busy' : 'MISSED'}); ` +
    `kernel conf_parse ${fmt(median(kernel))} (ratio ${(median(kernel) / w).toFixed(2)}x)`);
}

async function grepFilter(dir: string): Promise<number> {
  let kept = 0;
  const folders = GREP_FOLDERS.filter((f) => f !== 'arch').concat('arch/arm64');
  for (const sym of FRAGMENT_SYMBOLS) {
    const r = await exec(['grep', '-rqE', `^\\s*(menu)?config ${sym}\\b`, ...folders], { cwd: dir, capture: false });
    if (r.code === 0) kept++;
  }
  return kept;
}

async function filterBench(dir: string, work: string): Promise<void> {
  const frag = path.join(work, 'fragment.config');
  await fs.writeFile(frag, FRAGMENT_SYMBOLS.map((s) => `CONFIG_${s}=y\n`).join(''));
  const env = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache'), TARSMITH_LOG: 'quiet' };
  const run = () => exec(['node', bin, 'kconfig', 'filter', '--kernel', dir, '--arch', 'arm64', frag], { env });
  const cold = await timed(run);
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) warm.push((await timed(run)).ms);
  const grep = await timed(() => grepFilter(dir));
  const kept = cold.value.stdout.split('\n').filter(Boolean).length;
  const w = median(warm);
  console.log(`filter 30-line fragment (arm64): tarsmith cold cache ${fmt(cold.ms)}, warm cache ${fmt(w)}; ` +
    `grep per symbol ${fmt(grep.ms)}; ratio cold ${(grep.ms / cold.ms).toFixed(1)}x, warm ${(grep.ms / w).toFixed(1)}x ` +
    `(goal >= 40x: ${grep.ms / w >= 40 ? 'met' : 'MISSED'}); kept: tarsmith ${kept}, grep ${grep.value} of ${FRAGMENT_SYMBOLS.length}`);
}

async function tarballBench(tarball: string, work: string): Promise<void> {
  const cache = path.join(work, 'tar-cache');
  const cold = await timed(() => loadKconfig({ kernel: tarball, arch: 'arm64', cacheDir: cache }));
  const cached = await timed(() => loadKconfig({ kernel: tarball, arch: 'arm64', cacheDir: cache }));
  const out = path.join(work, 'x');
  await fs.mkdir(out);
  const tar = await timed(() => exec(['tar', '-xJf', tarball, '-C', out], { capture: false }));
  await fs.rm(out, { recursive: true, force: true });
  console.log(`arm64 from ${path.basename(tarball)} (no extraction): cold ${fmt(cold.ms)}, cached ${fmt(cached.ms)}; ` +
    `tar -xJf alone ${fmt(tar.ms)} (cold/tar ${(cold.ms / tar.ms).toFixed(2)}x, cached is ${(tar.ms / cached.ms).toFixed(1)}x faster than tar)`);
}

const NETFILTER = ['NETFILTER', 'NETFILTER_ADVANCED', 'NETFILTER_XTABLES', 'NETFILTER_XTABLES_LEGACY', 'NF_CONNTRACK', 'NF_NAT',
  'NF_TABLES', 'NF_TABLES_INET', 'NFT_NAT', 'IP_NF_IPTABLES', 'IP_NF_FILTER', 'IP6_NF_IPTABLES', 'BRIDGE', 'VETH'];

async function resolveBench(work: string): Promise<void> {
  const km = await kernelMake(path.join(work, 'make'));
  const frag = path.join(work, 'netfilter.config');
  await fs.writeFile(frag, NETFILTER.map((s) => `CONFIG_${s}=y\n`).join(''));
  const cache = path.join(work, 'resolve-cache');
  for (const arch of ['arm64', 'x86_64']) {
    const kernel = await timed(() => km.merged(`resolve-${arch}`, arch, 'defconfig', [{ name: 'netfilter.config', text: `${NETFILTER.map((s) => `CONFIG_${s}=y`).join('\n')}\n` }]));
    const lib = () => predictConfig({ kernel: km.tree, arch, cc: 'gcc', cacheDir: cache, fragments: [frag], verifyFixes: false });
    const cold = await timed(lib);
    const warm: number[] = [];
    const warmCpu: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = await timed(lib);
      warm.push(t.ms);
      warmCpu.push(t.cpuMs);
    }
    const env = { ...process.env, XDG_CACHE_HOME: cache, TARSMITH_LOG: 'quiet' };
    const cliRun = () => exec(['node', bin, 'kconfig', 'resolve', '--kernel', km.tree, '--arch', arch, '--cc', 'gcc', '--no-prove-fixes', frag], { env });
    await cliRun();
    const cli = await timed(cliRun);
    const w = median(warm);
    const wc = median(warmCpu);
    const same = cold.value.dotconfig === kernel.value && cli.value.stdout === kernel.value;
    const goal = kernel.ms / w >= 10 && w < 1000 ? 'met' : kernel.ms / w >= 10 && wc < 1000 ? 'met in CPU time, machine busy' : 'MISSED';
    console.log(`resolve ${arch} defconfig + ${NETFILTER.length}-line fragment: kernel make path ${fmt(kernel.ms)}; tarsmith cold ${fmt(cold.ms)}, ` +
      `warm ${fmt(w)} wall / ${fmt(wc)} CPU in-process (ratio ${(kernel.ms / w).toFixed(1)}x), ${fmt(cli.ms)} as a process (ratio ${(kernel.ms / cli.ms).toFixed(1)}x); ` +
      `goal >= 10x and < 1 s warm: ${goal}; output ${same ? 'byte-identical' : 'DIFFERENT'}`);
  }
}

async function allDefconfigs(work: string): Promise<void> {
  const km = await kernelMake(path.join(work, 'make'));
  const cache = path.join(work, 'all-cache');
  for (const arch of ['arm64', 'x86_64', 'arm', 'riscv']) {
    const srcarch = arch === 'x86_64' ? 'x86' : arch;
    const names = (await fs.readdir(path.join(km.tree, 'arch', srcarch, 'configs'))).filter((n) => n === 'defconfig' || n.endsWith('_defconfig')).sort();
    let same = 0;
    const different: string[] = [];
    for (const name of names) {
      let kernel: string;
      try {
        kernel = await km.make(`all-${arch}-${name}`, arch, [name]);
      } catch {
        different.push(`${name} (kernel make failed)`);
        continue;
      }
      const p = await predictConfig({ kernel: km.tree, arch, cc: 'gcc', cacheDir: cache, defconfig: name, verifyFixes: false }).catch(() => undefined);
      if (p?.dotconfig === kernel) same++;
      else different.push(name);
      await fs.rm(path.join(work, 'make', `all-${arch}-${name}`), { recursive: true, force: true });
    }
    console.log(`all defconfigs ${arch}: ${same} of ${names.length} byte-identical${different.length ? `; different: ${different.join(', ')}` : ''}`);
  }
}

async function main(): Promise<void> {
  const k = await kernelTree();
  console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-bench-kconfig-'));
  const mode = process.env.TARSMITH_BENCH_KCONFIG;
  try {
    if (mode === 'all-defconfigs') return await allDefconfigs(work);
    if (mode !== 'resolve') {
      await parseBench(k.dir, k.dump, k.confEnv('arm64'));
      await filterBench(k.dir, work);
      await tarballBench(k.tarball, work);
    }
    await resolveBench(work);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

await main();
