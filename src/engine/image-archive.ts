/**
 * A reproducible runtime image, written by tarsmith rather than by the engine: BuildKit in Docker 20.10 stamps the
 * image config with the wall clock (it applies no SOURCE_DATE_EPOCH to image metadata), so two builds of the same
 * artifacts get different image IDs. Here the exported artifacts become one deterministic layer (see
 * archive/pack-folder.ts) under /opt/<name>/, the config's `created` and history come from SOURCE_DATE_EPOCH, and
 * the Docker image archive (manifest.json + config + layer, what `docker load` reads) is loaded. The image ID is
 * the sha256 of the config bytes, so it is the same on every run and every machine for the same artifacts.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { packFolder, packMembers } from '../archive/pack-folder.js';
import { ExitCode, fail } from '../core/errors.js';
import { exec } from '../core/exec.js';

export interface ImagePlatform {
  os: string;
  architecture: string;
  variant?: string;
}

/** `linux/arm64/v8` → { os, architecture, variant }; undefined when it is not OS/ARCH[/VARIANT]. */
export function parsePlatform(p: string): ImagePlatform | undefined {
  const [os, architecture, variant, ...rest] = p.split('/');
  if (!os || !architecture || rest.length > 0) return undefined;
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The image config (OCI image config / Docker v1 JSON): bytes fixed by their inputs, keys in a fixed order. */
export function imageConfig(o: { platform: ImagePlatform; diffId: string; sourceDateEpoch: number; name: string; target: string }): Buffer {
  const created = new Date(o.sourceDateEpoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const config = {
    architecture: o.platform.architecture,
    config: { Env: [`PATH=${IMAGE_PATH}`], WorkingDir: `/opt/${o.name}` },
    created,
    history: [{ created, created_by: `tarsmith image: the artifacts of ${o.name} (target ${o.target}) under /opt/${o.name}/` }],
    os: o.platform.os,
    rootfs: { type: 'layers', diff_ids: [`sha256:${o.diffId}`] },
    ...(o.platform.variant ? { variant: o.platform.variant } : {}),
  };
  return Buffer.from(JSON.stringify(config));
}

export interface ImageArchive {
  file: string;
  imageId: string;
  diffId: string;
}

/** Write the Docker image archive of the artifacts in `artifacts` into `workDir` (an empty temp folder). */
export async function writeImageArchive(artifacts: string, workDir: string, o: { tag: string; platform: ImagePlatform; sourceDateEpoch: number; name: string; target: string }): Promise<ImageArchive> {
  const layerFile = path.join(workDir, 'layer.tar');
  const layer = await packFolder(artifacts, layerFile, { prefix: `opt/${o.name}`, mtime: o.sourceDateEpoch });
  const config = imageConfig({ ...o, diffId: layer.sha256 });
  return packImageArchive(path.join(workDir, 'image.tar'), config, { file: layerFile, sha256: layer.sha256, size: layer.size }, o.tag, o.sourceDateEpoch);
}

/**
 * The Docker image archive of one config and one layer (an uncompressed tar on disk, its sha256 the config's one
 * diff ID) under `tag`, written to `file`: the config, the layer and manifest.json, member times `mtime`.
 */
export async function packImageArchive(file: string, config: Buffer, layer: { file: string; sha256: string; size: number }, tag: string, mtime: number): Promise<ImageArchive> {
  const configHex = createHash('sha256').update(config).digest('hex');
  const manifest = Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [tag], Layers: [`${layer.sha256}/layer.tar`] }]));
  await packMembers(file, [
    { name: `${configHex}.json`, bytes: config },
    { name: `${layer.sha256}/layer.tar`, file: layer.file, size: layer.size },
    { name: 'manifest.json', bytes: manifest },
  ], mtime);
  return { file, imageId: `sha256:${configHex}`, diffId: `sha256:${layer.sha256}` };
}

/** `docker load` the archive and check that the engine kept the image ID tarsmith computed. */
export async function loadImageArchive(client: readonly string[], a: ImageArchive, tag: string): Promise<void> {
  const r = await exec([...client, 'load', '--quiet', '--input', a.file]);
  if (r.code !== 0) {
    fail({ code: 'engine.image-load', message: `docker load refused the image archive: ${r.stderr.trim().split('\n').at(-1) ?? ''}`, value: tag, exit: ExitCode.engine, hint: 'check that the engine runs (`docker info`) and has room for the image; run again with -v for the command' });
  }
  const got = await engineImageId(client, tag);
  if (got !== a.imageId) {
    fail({ code: 'engine.image-mismatch', message: `after docker load, ${tag} is ${got ?? 'absent'}, not the image ${a.imageId} tarsmith wrote`, value: tag, exit: ExitCode.engine, hint: 'another process may have re-tagged the image meanwhile; run `tarsmith image` again' });
  }
}

/** The ID of the image `ref` names in the engine's store, or undefined when it has none. */
export async function engineImageId(client: readonly string[], ref: string): Promise<string | undefined> {
  const r = await exec([...client, 'image', 'inspect', '--format', '{{.Id}}', ref]);
  const id = r.stdout.trim();
  return r.code === 0 && id !== '' ? id : undefined;
}

/** The engine's own platform (`linux/amd64`), for a manifest that names none. */
export async function enginePlatform(client: readonly string[]): Promise<string> {
  const r = await exec([...client, 'version', '--format', '{{.Server.Os}}/{{.Server.Arch}}']);
  const p = r.stdout.trim();
  if (r.code !== 0 || !parsePlatform(p)) {
    return fail({ code: 'engine.platform-unknown', message: `cannot ask the engine for its platform: ${r.stderr.trim().split('\n').at(-1) ?? p}`, exit: ExitCode.engine, hint: 'set platform: in tarsmith.yaml (e.g. linux/amd64), or pass --platform' });
  }
  return p;
}
