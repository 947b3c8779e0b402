/** A temp-folder rig for the stand-in tests: vendored tarballs, a manifest, a lock and the written stand-ins. */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exec, type ExecResult } from '../../src/core/exec.js';
import type { Manifest, Source } from '../../src/manifest/types.js';
import { fetchShims, writeShims, type ShimLock, type ShimLockEntry } from '../../src/shims/index.js';

export const SHELLS: readonly (readonly string[])[] = [['dash'], ['busybox', 'sh']];

export interface Rig {
  dir: string;
  packages: string;
  shims: string;
  work: string;
  /** Runs a stand-in (`git`, `wget`, `curl`) under `shell` in `cwd` (default: work). */
  run(shell: readonly string[], tool: string, args: string[], cwd?: string): Promise<ExecResult>;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A tarball `packages/<file>` made with the system tar from `files` (under a top folder `top`, if given). */
export async function makeTarball(
  packages: string,
  file: string,
  files: Record<string, string>,
  top?: string,
): Promise<string> {
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-stage-'));
  try {
    const base = top ? path.join(staging, top) : staging;
    for (const [rel, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(base, rel)), { recursive: true });
      await fs.writeFile(path.join(base, rel), content, { mode: rel.endsWith('.sh') ? 0o755 : 0o644 });
    }
    const out = path.join(packages, file);
    const r = await exec(['tar', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-czf', out, '-C', staging, '.']);
    if (r.code !== 0) throw new Error(r.stderr);
    return sha256(await fs.readFile(out));
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

export function source(name: string, origin: Source['origin'], provides: string[] = []): Source {
  const own = origin.kind === 'url' ? [origin.url] : origin.kind === 'git' ? [origin.git] : [];
  return { name, origin, strip: 0, dropVcs: true, extract: true, patches: [], private: false, provides: provides.length ? provides : own, allow: [] };
}

export function manifest(sources: Source[], dir = '/nonexistent'): Manifest {
  return {
    version: 1,
    name: 'shim-test',
    sourceDateEpoch: 1700000000,
    platform: 'linux/amd64',
    sources,
    file: path.join(dir, 'tarsmith.yaml'),
    dir,
    positions: {},
  };
}

export async function makeRig(m: (packages: string) => Promise<{ manifest: Manifest; lock: ShimLock }>): Promise<Rig> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tarsmith-shims-'));
  const packages = path.join(dir, 'packages');
  const shims = path.join(dir, 'shims');
  const work = path.join(dir, 'work');
  await fs.mkdir(packages);
  await fs.mkdir(work);
  const { manifest: man, lock } = await m(packages);
  await writeShims(shims, fetchShims(man, lock));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${path.join(shims, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    TARSMITH_PACKAGES: packages,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
  };
  delete env.SOURCE_DATE_EPOCH;
  return {
    dir,
    packages,
    shims,
    work,
    env,
    run: (shell, tool, args, cwd = work) => exec([...shell, path.join(shims, 'bin', tool), ...args], { cwd, env }),
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

export function lockEntry(file: string, hash: string, origin: ShimLockEntry['origin'], extra: Partial<ShimLockEntry> = {}): ShimLockEntry {
  return { file, sha256: hash, origin, ...extra };
}
