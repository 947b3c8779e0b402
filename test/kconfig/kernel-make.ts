/**
 * Test helper: the kernel's own make path as ground truth for `kconfig resolve` — `make ARCH=… TARGET`, then
 * `scripts/kconfig/merge_config.sh -m .config FRAGMENT…` and `make olddefconfig`, run in an out-of-tree build
 * folder (`O=`) so the shared tree is never written to.
 *
 * The shared extracted tree is not "clean" for an `O=` build once a test has run `conf` inside it (that writes
 * `include/config/`), so make runs on a mirror: a folder of symlinks to the tree's top-level entries, with
 * `include/` re-created without `config/`. Results are cached by the caller (one build folder per test file).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { kernelTree } from './kernel-tree.js';

const run = promisify(execFile);

/** The environment every ground-truth make runs with (and the engine's probes see the same PATH). */
export function makeEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LC_ALL: 'C' };
}

async function mirror(dir: string, tree: string): Promise<string> {
  const src = path.join(dir, 'src');
  await mkdir(path.join(src, 'include'), { recursive: true });
  for (const name of await readdir(tree)) {
    if (name === 'include' || name === '.config') continue;
    await symlink(path.join(tree, name), path.join(src, name));
  }
  for (const name of await readdir(path.join(tree, 'include'))) {
    if (name !== 'config' && name !== 'generated') await symlink(path.join(tree, 'include', name), path.join(src, 'include', name));
  }
  return src;
}

export interface KernelMake {
  /** The tree as the engine reads it (the shared extracted folder). */
  tree: string;
  /** `make ARCH=arch TARGETS…` in a fresh build folder named `name`; returns the written `.config`. */
  make(name: string, arch: string, targets: string[], extra?: Record<string, string>): Promise<string>;
  /** `make ARCH=arch TARGET`, `merge_config.sh -m .config FRAGMENTS…`, `make ARCH=arch olddefconfig`. */
  merged(name: string, arch: string, target: string, fragments: { name: string; text: string }[]): Promise<string>;
}

/** Ground-truth runs under `dir` (a test's temp folder). */
export async function kernelMake(dir: string): Promise<KernelMake> {
  const k = await kernelTree();
  const src = await mirror(dir, k.dir);
  const make = async (out: string, arch: string, args: string[]): Promise<void> => {
    await run('make', ['-s', '-C', src, `O=${out}`, `ARCH=${arch}`, ...args], { env: makeEnv(), maxBuffer: 16 << 20 });
  };
  return {
    tree: k.dir,
    async make(name, arch, targets, extra = {}) {
      const out = path.join(dir, name);
      await mkdir(out, { recursive: true });
      await make(out, arch, [...Object.entries(extra).map(([key, v]) => `${key}=${v}`), ...targets]);
      return readFile(path.join(out, '.config'), 'utf8');
    },
    async merged(name, arch, target, fragments) {
      const out = path.join(dir, name);
      await mkdir(out, { recursive: true });
      await make(out, arch, [target]);
      const files: string[] = [];
      for (const f of fragments) {
        const file = path.join(out, f.name);
        await writeFile(file, f.text);
        files.push(file);
      }
      await run('sh', [path.join(k.dir, 'scripts/kconfig/merge_config.sh'), '-m', '.config', ...files], {
        cwd: out, env: { ...makeEnv(), ARCH: arch }, maxBuffer: 16 << 20,
      });
      await make(out, arch, ['olddefconfig']);
      return readFile(path.join(out, '.config'), 'utf8');
    },
  };
}
