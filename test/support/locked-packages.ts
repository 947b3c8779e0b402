/**
 * A `builderPackages` lock entry as `tarsmith vendor` writes it, for tests of what is built from one (plan,
 * generate) where no archive is reachable (Alpine) or none is needed. The files are small stand-ins written
 * under packages/debs/ or packages/apks/ with their real sha256, so verify and staging see a consistent lock.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { baseId } from '../../src/lock/builder-packages.js';
import { canonicalJson, readLock, type Lock, type LockedPackage, type LockedPackages } from '../../src/lock/lock.js';
import type { Manifest } from '../../src/manifest/types.js';

export interface FakePackage {
  name: string;
  version: string;
  architecture: string;
}

function fileName(family: 'apt' | 'apk', p: FakePackage): string {
  return family === 'apt' ? `${p.name}_${p.version.replace(':', '%3a')}_${p.architecture}.deb` : `${p.name}-${p.version}.${p.architecture}.apk`;
}

/** The entry for `m` (its family, request and base) holding `pkgs`; file contents are `stand-in NAME VERSION`. */
export function lockedPackages(m: Manifest, lock: Lock, pkgs: readonly FakePackage[], foreign: string[] = []): LockedPackages {
  const family = m.builder!.family;
  const dir = family === 'apt' ? 'packages/debs' : 'packages/apks';
  const packages: Record<string, LockedPackage> = {};
  for (const p of pkgs) {
    const body = `stand-in ${p.name} ${p.version}\n`;
    packages[`${p.name}:${p.architecture}`] = {
      ...p,
      file: `${dir}/${fileName(family, p)}`,
      url: `http://archive.invalid/${fileName(family, p)}`,
      size: Buffer.byteLength(body),
      sha256: createHash('sha256').update(body).digest('hex'),
    };
  }
  return { family, request: [...m.builder!.packages], base: baseId(m, lock.rootfs), foreignArchitectures: foreign, packages };
}

/** `lock` with the entry added (in memory). */
export function withPackages(m: Manifest, lock: Lock, pkgs: readonly FakePackage[], foreign: string[] = []): Lock {
  return { ...lock, builderPackages: lockedPackages(m, lock, pkgs, foreign) };
}

/** Add the entry to the project's tarsmith.lock on disk and write the stand-in files. */
export async function writeVendoredPackages(m: Manifest, pkgs: readonly FakePackage[]): Promise<void> {
  const lock = (await readLock(m.dir))!;
  const entry = lockedPackages(m, lock, pkgs);
  for (const p of Object.values(entry.packages)) {
    const file = path.join(m.dir, ...p.file.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, `stand-in ${p.name} ${p.version}\n`);
  }
  await fs.writeFile(path.join(m.dir, 'tarsmith.lock'), canonicalJson({ ...lock, builderPackages: entry }));
}
