/**
 * The locked builder rootfs as an image of its own, for a base that travels through a registry instead of in the
 * build context: one layer that is the rootfs tarball's bytes as they are (so its diff ID is the sha256 the lock
 * holds), and a config with fixed fields and no time at all. The image ID (the sha256 of the config bytes) is
 * therefore a pure function of the locked rootfs and the builder's platform, computed here without an engine; the
 * archive is what `docker load` reads (the same writer as the reproducible image of `tarsmith image`).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ioFailure, fail } from '../core/errors.js';
import { IMAGE_PATH, packImageArchive, type ImageArchive, type ImagePlatform } from './image-archive.js';

export interface BaseImageInputs {
  /** The locked rootfs tarball's sha256 (hex). */
  rootfsSha256: string;
  /** The builder's platform: the rootfs's own. */
  platform: ImagePlatform;
}

/** The base image's config: keys in a fixed order, no `created` (nothing in it depends on when or where it is made). */
export function baseImageConfig(o: BaseImageInputs): Buffer {
  const config = {
    architecture: o.platform.architecture,
    config: { Env: [`PATH=${IMAGE_PATH}`] },
    history: [{ created_by: `tarsmith: the locked builder rootfs, sha256 ${o.rootfsSha256}` }],
    os: o.platform.os,
    rootfs: { type: 'layers', diff_ids: [`sha256:${o.rootfsSha256}`] },
    ...(o.platform.variant ? { variant: o.platform.variant } : {}),
  };
  return Buffer.from(JSON.stringify(config));
}

/** The base image's ID (`sha256:` + the config's sha256), as `docker load` and `docker image inspect` report it. */
export function baseImageId(o: BaseImageInputs): string {
  return `sha256:${createHash('sha256').update(baseImageConfig(o)).digest('hex')}`;
}

/** The tag of the base image beside a cache image: `base-` and the first 16 hex digits of the rootfs sha256. */
export function baseImageTag(rootfsSha256: string): string {
  return `base-${rootfsSha256.slice(0, 16)}`;
}

/** Write the base image's Docker archive into `workDir` (an empty temp folder): the rootfs file is its layer as is. */
export async function writeBaseImageArchive(rootfsFile: string, workDir: string, o: BaseImageInputs & { tag: string }): Promise<ImageArchive> {
  let size: number;
  try {
    size = (await fs.stat(rootfsFile)).size;
  } catch (e) {
    return fail(ioFailure(e, 'cannot read the builder rootfs', rootfsFile));
  }
  return packImageArchive(path.join(workDir, 'base.tar'), baseImageConfig(o), { file: rootfsFile, sha256: o.rootfsSha256, size }, o.tag, 0);
}
