/**
 * Rig for the kernel end-to-end tests: a project with Debian's linux-source-6.12 tarball as the kernel source,
 * the gateway fixture (test/kernel/fixtures/gateway: two modules built against $KDIR, and userspace) as the
 * application tarball, the example's builder rootfs, and one toolchain image holding what a kernel build needs
 * (flex, bison, bc, libelf, libssl, the aarch64 cross compiler). Every kernel test uses the same project name and
 * packages, so they share that image (named by its inputs) and BuildKit's cache of the kernel stages; the image
 * is left in place for the next run.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exampleRootfs, ROOT, run, tarsmith, type Run } from './build-rig.js';

export const KERNEL_TARBALL = '/usr/src/linux-source-6.12.tar.xz';
const FIXTURE = path.join(ROOT, 'test', 'kernel', 'fixtures', 'gateway');
export const TOOLCHAIN_PACKAGES = ['bc', 'bison', 'flex', 'gcc-aarch64-linux-gnu', 'libelf-dev', 'libssl-dev'];

export interface KernelProject {
  dir: string;
  /** Rewrite a file of the application tarball and repack it (then `vendor` again). */
  editApp(rel: string, edit: (text: string) => string): Promise<void>;
  tarsmith(args: string[]): Promise<Run>;
  cleanup(): Promise<void>;
}

async function linkOrCopy(src: string, dest: string): Promise<void> {
  await fs.link(src, dest).catch(() => fs.copyFile(src, dest));
}

async function packApp(tree: string, dest: string): Promise<void> {
  const r = await run(['tar', '--sort=name', '--mtime=@1700000000', '--owner=0', '--group=0', '--numeric-owner', '-czf', dest, '-C', tree, '.']);
  if (r.code !== 0) throw new Error(`tar failed: ${r.stderr}`);
}

/**
 * A project: `kernel` is the kernel: section's body (indented two spaces), `targets` the build.targets body,
 * `sources` more entries of the sources list (indented two spaces, `- name: ...`), `files` project files.
 */
export async function kernelProject(opts: { kernel: string; targets: string; sources?: string; files?: Record<string, string> }): Promise<KernelProject> {
  const rootfs = await exampleRootfs();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-kernel-'));
  const pk = path.join(dir, 'packages');
  await fs.mkdir(pk);
  await linkOrCopy(rootfs, path.join(pk, 'rootfs-bookworm-buildd.tar'));
  await linkOrCopy(KERNEL_TARBALL, path.join(pk, 'linux-source-6.12.tar.xz'));
  const tree = path.join(dir, 'app-tree');
  await fs.cp(FIXTURE, tree, { recursive: true });
  await packApp(tree, path.join(pk, 'gateway-1.0.tar.gz'));
  for (const [rel, text] of Object.entries(opts.files ?? {})) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), text);
  }
  const manifest = `version: 1
name: gw
sourceDateEpoch: 1700000000
sources:
  - name: gateway
    file: packages/gateway-1.0.tar.gz
  - name: linux
    file: packages/linux-source-6.12.tar.xz
    strip: 1
${opts.sources ?? ''}builder:
  rootfs: packages/rootfs-bookworm-buildd.tar
  family: apt
  packages: [${TOOLCHAIN_PACKAGES.join(', ')}]
build:
  workdir: gateway
  targets:
${opts.targets}
kernel:
${opts.kernel}`;
  await fs.writeFile(path.join(dir, 'tarsmith.yaml'), manifest);
  const t = (args: string[]) => tarsmith(args, dir);
  for (const step of [['vendor'], ['toolchain']]) {
    const r = await t(step);
    if (r.code !== 0) throw new Error(`tarsmith ${step.join(' ')} failed (${r.code}):\n${r.stderr}`);
  }
  return {
    dir,
    tarsmith: t,
    async editApp(rel, edit) {
      const f = path.join(tree, rel);
      await fs.writeFile(f, edit(await fs.readFile(f, 'utf8')));
      await packApp(tree, path.join(pk, 'gateway-1.0.tar.gz'));
      const v = await t(['vendor']);
      if (v.code !== 0) throw new Error(`tarsmith vendor failed:\n${v.stderr}`);
    },
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

/** BuildKit vertices of the log (plain progress), by name: cached or run. */
export function vertices(log: string): Map<string, 'cached' | 'done'> {
  const names = new Map<string, string>();
  const out = new Map<string, 'cached' | 'done'>();
  for (const line of log.split('\n')) {
    const m = /^#(\d+) (\[.*|CACHED|DONE .*)$/.exec(line);
    if (!m) continue;
    const [, id, rest] = m as unknown as [string, string, string];
    if (rest.startsWith('[')) names.set(id, rest);
    else if (names.has(id)) out.set(names.get(id) as string, rest === 'CACHED' ? 'cached' : 'done');
  }
  return out;
}
