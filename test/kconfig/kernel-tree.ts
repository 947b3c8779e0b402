/**
 * Test helper: the real kernel tree, shared by every kconfig test file.
 *
 * `kernelTree()` extracts `/usr/src/linux-source-6.12.tar.xz` once into `${TMPDIR:-/tmp}/tarsmith-test-kernel/`
 * and builds the kernel's own Kconfig tools once (from `scripts/kconfig` with flex, bison and gcc, outside the tree
 * so the tree stays pristine): `conf`, and `kconfig-dump` (fixtures/kconfig-dump.c linked against the same
 * objects; it calls `conf_parse()` and prints every defined symbol with its type and definitions). Both steps run
 * under `flock` on a lock file, so concurrent test files wait for one another instead of racing; later runs reuse
 * what is there. `confEnv(arch)` is the one pinned environment every ground-truth run uses.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const KERNEL_TARBALL = '/usr/src/linux-source-6.12.tar.xz';

export interface KernelTree {
  tarball: string;
  /** The extracted tree (its top folder, holding `Kconfig` and `Makefile`). */
  dir: string;
  /** The kernel's `conf` program, built from this tree. */
  conf: string;
  /** `kconfig-dump`: prints `NAME\tTYPE\tfile:line,...` for every defined symbol. */
  dump: string;
  /** `VERSION.PATCHLEVEL.SUBLEVEL` from the tree's Makefile. */
  kernelVersion: string;
  /** The pinned environment for running `conf` / `kconfig-dump` in `dir` (cwd must be `dir`). */
  confEnv(arch: string): NodeJS.ProcessEnv;
}

const SCRIPT = String.raw`
set -eu
root=$1; tarball=$2; dumpsrc=$3
mkdir -p "$root"
if [ ! -e "$root/.extracted" ]; then
  rm -rf "$root/stage"; mkdir "$root/stage"
  tar -xJf "$tarball" -C "$root/stage"
  for d in "$root/stage"/*; do rm -rf "$root/$(basename "$d")"; mv "$d" "$root/"; done
  rmdir "$root/stage"
  touch "$root/.extracted"
fi
tree=
for d in "$root"/*/; do [ -f "$d/Kconfig" ] && [ -f "$d/Makefile" ] && tree=$(cd "$d" && pwd); done
[ -n "$tree" ] || { echo "no kernel tree under $root" >&2; exit 1; }
b="$root/kconfig-build"
if [ ! -x "$b/conf" ] || [ ! -x "$b/kconfig-dump" ] || [ "$dumpsrc" -nt "$b/kconfig-dump" ]; then
  rm -rf "$b"; mkdir "$b"
  k="$tree/scripts/kconfig"
  bison -o "$b/parser.tab.c" --defines="$b/parser.tab.h" -t -l "$k/parser.y"
  flex -o "$b/lexer.lex.c" -L "$k/lexer.l"
  inc="-I$tree/scripts/include -I$k -I$b"
  for f in confdata expr menu preprocess symbol util conf; do gcc -O1 $inc -c "$k/$f.c" -o "$b/$f.o"; done
  for f in lexer.lex parser.tab; do gcc -O1 $inc -c "$b/$f.c" -o "$b/$f.o"; done
  objs="$b/confdata.o $b/expr.o $b/lexer.lex.o $b/menu.o $b/parser.tab.o $b/preprocess.o $b/symbol.o $b/util.o"
  gcc -o "$b/conf.tmp" "$b/conf.o" $objs && mv "$b/conf.tmp" "$b/conf"
  gcc -O1 $inc -o "$b/kconfig-dump.tmp" "$dumpsrc" $objs && mv "$b/kconfig-dump.tmp" "$b/kconfig-dump"
fi
echo "$tree"
`;

let cached: Promise<KernelTree> | undefined;

/** The kernel's SRCARCH for an ARCH (as the top Makefile maps it). */
export function srcarchOf(arch: string): string {
  const map: Record<string, string> = { i386: 'x86', x86_64: 'x86', sparc64: 'sparc', parisc64: 'parisc', sh64: 'sh' };
  return map[arch] ?? arch;
}

function makefileVersion(dir: string): string {
  const vars = new Map<string, string>();
  for (const line of readFileSync(path.join(dir, 'Makefile'), 'utf8').split('\n').slice(0, 12)) {
    const eq = line.indexOf('=');
    if (eq > 0) vars.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return `${vars.get('VERSION')}.${vars.get('PATCHLEVEL')}.${vars.get('SUBLEVEL')}${vars.get('EXTRAVERSION') ?? ''}`;
}

async function prepare(): Promise<KernelTree> {
  const root = path.join(process.env.TMPDIR || os.tmpdir(), 'tarsmith-test-kernel');
  const dumpSrc = fileURLToPath(new URL('./fixtures/kconfig-dump.c', import.meta.url));
  if (!existsSync(KERNEL_TARBALL)) throw new Error(`${KERNEL_TARBALL} missing: run scripts/setup-deps.sh (linux-source-6.12)`);
  await run('mkdir', ['-p', root]);
  const { stdout } = await run('flock', [path.join(root, '.lock'), 'bash', '-c', SCRIPT, 'bash', root, KERNEL_TARBALL, dumpSrc], {
    maxBuffer: 1 << 20,
  });
  const dir = stdout.trim().split('\n').pop() as string;
  const build = path.join(root, 'kconfig-build');
  const kernelVersion = makefileVersion(dir);
  const ccVersion = (await run('gcc', ['--version'])).stdout.split('\n')[0] ?? '';
  return {
    tarball: KERNEL_TARBALL,
    dir,
    conf: path.join(build, 'conf'),
    dump: path.join(build, 'kconfig-dump'),
    kernelVersion,
    confEnv: (arch: string) => ({
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LC_ALL: 'C',
      srctree: '.',
      ARCH: arch,
      SRCARCH: srcarchOf(arch),
      CC: 'gcc',
      LD: 'ld',
      KERNELVERSION: kernelVersion,
      CC_VERSION_TEXT: ccVersion,
      KCONFIG_DEFCONFIG_LIST: '',
      // User-mode Linux: the host arch it runs on, as arch/um/Makefile derives it (pinned to x86).
      ...(arch === 'um' ? { SUBARCH: 'x86', HEADER_ARCH: 'x86' } : {}),
    }),
  };
}

/** The shared kernel tree (extracted and tools built on first use; reused afterwards, also across processes). */
export function kernelTree(): Promise<KernelTree> {
  cached ??= prepare();
  return cached;
}

/** The kernel tools' view of the symbols for `arch`: name → { type, defs }. */
export async function groundTruthSymbols(arch: string): Promise<Map<string, { type: string; defs: string[] }>> {
  const k = await kernelTree();
  const { stdout } = await run(k.dump, ['Kconfig'], { cwd: k.dir, env: k.confEnv(arch), maxBuffer: 64 << 20 });
  const out = new Map<string, { type: string; defs: string[] }>();
  for (const line of stdout.split('\n')) {
    const [name, type, defs] = line.split('\t');
    if (!name || !type) continue;
    out.set(name, { type: type === 'integer' ? 'int' : type === 'boolean' ? 'bool' : type, defs: (defs ?? '').split(',') });
  }
  return out;
}

/** Names of the folders directly under the tree (for tests that need to know the layout). */
export function topFolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}
