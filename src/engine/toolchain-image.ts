/**
 * The toolchain image a build runs on: made by `tarsmith toolchain` in one engine's image store and recorded in
 * the lock (its inputs hash, local tag, layer diff IDs and the packages installed in it). Without a registry cache
 * it must be in the building engine's store. With one (`--cache-to`/`--cache-from type=registry,ref=HOST/REPO:TAG`)
 * it travels through that registry, as the rootfs base does (registry-base.ts): the exporting side pushes it from
 * its engine under `HOST/REPO:toolchain-<16 hex of the inputs hash>` unless the registry has it; both sides read
 * the manifest under that tag and the config blob it names from this machine and check the config's
 * `rootfs.diff_ids` against the lock's layers, then build `FROM HOST/REPO@sha256:<manifest digest>`: the same
 * Dockerfile on both, so the same cache keys, and the engine resolves the image only (its layers are pulled when a
 * step really runs on it).
 */
import { ExitCode, fail, renderDiagnostic } from '../core/errors.js';
import { exec } from '../core/exec.js';
import { log } from '../core/log.js';
import type { Lock, LockedToolchain } from '../lock/lock.js';
import type { Manifest } from '../manifest/types.js';
import { inspectImage } from './engine-socket.js';
import { withToolchainImage, type Plan } from './plan.js';
import { describeEndpoint, type EngineCaps } from './probe.js';
import { pushImage } from './push.js';
import { fetchBlob, lookupManifest } from './registry-api.js';
import { apiName, registryCacheRef } from './registry-base.js';

/** Where the build's toolchain image came from (in the JSON result and the build record). */
export interface ToolchainOrigin {
  /** `engine`: the building engine's image store (`tarsmith toolchain` ran there); `registry`: pulled by digest. */
  from: 'engine' | 'registry';
  /** The local tag `tarsmith toolchain` gave it, and its inputs hash (both from the lock). */
  tag: string;
  inputsHash: string;
  /** `HOST/REPO:toolchain-…`, the tag the toolchain image is under in the registry (with a registry cache). */
  ref?: string;
  /** `HOST/REPO@sha256:…`, what the Dockerfile's toolchain stage names. */
  pinned?: string;
  /** True when this run pushed the toolchain image (false: the registry had it). */
  pushed?: boolean;
  /** Why the toolchain came from the engine's store although a registry cache was given. */
  reason?: string;
}

/** The layer diff IDs of a local image (content identity, unlike the image ID), or undefined when it is absent. */
export async function imageLayers(caps: Pick<EngineCaps, 'client' | 'endpoint'>, ref: string): Promise<string[] | undefined> {
  const asked = await inspectImage(caps.endpoint.host, ref);
  if (asked === null) return undefined;
  const layers = (asked?.RootFS as { Layers?: unknown } | undefined)?.Layers;
  if (Array.isArray(layers)) return layers.map(String);
  const r = await exec([...caps.client, 'image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref]);
  if (r.code !== 0) return undefined;
  try {
    const v: unknown = JSON.parse(r.stdout);
    return Array.isArray(v) ? v.map(String) : undefined;
  } catch {
    return undefined;
  }
}

const TOOLCHAIN_RUN = 'run `tarsmith toolchain` (it installs the vendored packages, network off), then build again';

/**
 * The toolchain `tarsmith toolchain` recorded in the lock must be the one the plan needs (same inputs hash);
 * `requireRecorded` also refuses a lock that records none. `build` requires it; `generate` refuses only a stale
 * record (without one, Dockerfile.toolchain builds it by hand under the tag the Dockerfile names).
 */
export function checkToolchainRecord(m: Manifest, lock: Lock, plan: Plan, requireRecorded: boolean): void {
  if (!plan.needsToolchainImage) return;
  const t = lock.toolchain;
  if (!t && !requireRecorded) return;
  if (!t || t.inputsHash !== plan.toolchainInputsHash) {
    fail({
      code: 'build.toolchain-stale',
      message: t ? 'the toolchain inputs changed since `tarsmith toolchain` ran' : 'no toolchain image is recorded in tarsmith.lock',
      exit: ExitCode.usage,
      where: { file: m.file },
      hint: TOOLCHAIN_RUN,
    });
  }
}

/**
 * The toolchain image the plan needs must be the one `tarsmith toolchain` recorded, and be in the engine's store.
 * `absent` is what the registry cache said, when it had no toolchain image (added to the refusal's hint).
 */
export async function ensureToolchain(caps: EngineCaps, m: Manifest, lock: Lock, plan: Plan, absent?: string): Promise<void> {
  checkToolchainRecord(m, lock, plan, true);
  const t = lock.toolchain;
  if (!plan.needsToolchainImage || !t) return;
  const layers = await imageLayers(caps, t.tag);
  if (!layers || layers.join(' ') !== t.layers.join(' ')) {
    fail({
      code: 'build.toolchain-missing',
      message: !layers ? `the toolchain image ${t.tag} is not in the image store of the engine at ${describeEndpoint(caps.endpoint)}` : `the toolchain image ${t.tag} does not hold the layers recorded in tarsmith.lock`,
      value: t.tag,
      exit: ExitCode.engine,
      ...(absent ? { details: [absent] } : {}),
      hint: absent
        ? `build once with --cache-to type=registry,ref=… on the engine that ran \`tarsmith toolchain\` (it pushes the toolchain image beside the cache image), or run \`tarsmith toolchain\` on this engine`
        : TOOLCHAIN_RUN,
    });
  }
}

/** The tag of the toolchain image beside a cache image: `toolchain-` and the first 16 hex digits of its inputs hash. */
export function toolchainImageTag(inputsHash: string): string {
  return `toolchain-${inputsHash.slice(0, 16)}`;
}

/**
 * Whether an image config (the blob's bytes) is the recorded toolchain's: its `rootfs.diff_ids` must be the lock's
 * layers, in order. The image ID is not compared: it holds the build time, which differs between engines.
 */
export function checkToolchainConfig(bytes: Buffer, layers: readonly string[]): { ok: true } | { ok: false; why: string } {
  let j: { rootfs?: { diff_ids?: unknown } };
  try {
    j = JSON.parse(bytes.toString('utf8')) as typeof j;
  } catch {
    return { ok: false, why: 'its config is not JSON' };
  }
  const ids = j?.rootfs?.diff_ids;
  if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) return { ok: false, why: 'its config lists no rootfs.diff_ids' };
  if (ids.length === layers.length && ids.every((x, i) => x === layers[i])) return { ok: true };
  const at = ids.findIndex((x, i) => x !== layers[i]);
  const i = at >= 0 ? at : Math.min(ids.length, layers.length);
  return { ok: false, why: `its layers are not the recorded ones: ${ids.length} layer(s) against ${layers.length}, layer ${i + 1} is ${String(ids[i] ?? 'missing')}, the lock records ${layers[i] ?? 'none'}` };
}

/** The lock's toolchain entry as the build record and the result show it (without the installed packages, listed apart). */
export function toolchainEntry(t: LockedToolchain): Omit<LockedToolchain, 'installed'> {
  return { inputsHash: t.inputsHash, tag: t.tag, layers: t.layers };
}

/**
 * The plan and where its toolchain comes from: with a registry cache, the toolchain image through that registry
 * (pushed on the exporting side when missing, checked on both); otherwise the engine's own store, checked there.
 */
export async function registryToolchain(
  caps: EngineCaps,
  m: Manifest,
  lock: Lock,
  plan: Plan,
  opts: { cacheFrom?: readonly string[]; cacheTo?: readonly string[] },
): Promise<{ plan: Plan; toolchain?: ToolchainOrigin }> {
  if (!plan.needsToolchainImage) return { plan };
  checkToolchainRecord(m, lock, plan, true);
  const t = lock.toolchain as LockedToolchain;
  const local: ToolchainOrigin = { from: 'engine', tag: t.tag, inputsHash: t.inputsHash };
  const reg = registryCacheRef(opts.cacheFrom ?? [], opts.cacheTo ?? []);
  if (!reg) {
    await ensureToolchain(caps, m, lock, plan);
    return { plan, toolchain: local };
  }
  const api = apiName(reg.ref);
  const ref = `${api.name}:${toolchainImageTag(t.inputsHash)}`;
  const found = await lookupManifest(api.host, api.repository, toolchainImageTag(t.inputsHash));
  let pinned: string;
  let pushed = false;
  if (found.found) {
    const mismatch = (why: string): never =>
      fail({
        code: 'registry.toolchain-mismatch',
        message: `the registry holds another image under ${ref}: its manifest ${found.digest} ${why}, not the toolchain image tarsmith.lock records (inputs ${t.inputsHash.slice(0, 16)}, ${t.layers.length} layers)`,
        value: found.url,
        exit: ExitCode.checkFailed,
        hint: `the tag was overwritten: delete ${ref} from the registry, then build once with --cache-to type=registry,ref=${api.name}:TAG on the engine that ran \`tarsmith toolchain\` (it pushes the recorded toolchain image); nothing was built`,
      });
    if (!found.config) mismatch(`names no config (${found.mediaType || 'not an image manifest'})`);
    const blob = await fetchBlob(api.host, api.repository, found.config as string);
    if (!blob) mismatch(`names the config ${found.config as string}, which the registry does not hold`);
    const check = checkToolchainConfig((blob as { bytes: Buffer }).bytes, t.layers);
    if (!check.ok) mismatch(`names the config ${found.config as string}: ${check.why}`);
    pinned = `${api.name}@${found.digest}`;
  } else if (reg.side === 'import') {
    const reason = `the registry has no toolchain image ${ref}`;
    log.info(renderDiagnostic({ code: 'registry.toolchain-absent', severity: 'info', message: `${reason}: the toolchain must be in the image store of the engine at ${describeEndpoint(caps.endpoint)}`, value: found.url, hint: 'a build with --cache-to type=registry,ref=… on the engine that ran `tarsmith toolchain` pushes it beside the cache image' }));
    await ensureToolchain(caps, m, lock, plan, reason);
    return { plan, toolchain: { ...local, ref, reason } };
  } else {
    await ensureToolchain(caps, m, lock, plan);
    const p = await pushImage(caps, t.tag, ref);
    pinned = p.pinned;
    pushed = true;
  }
  log.info(`toolchain image ${pinned} (${ref}, ${t.layers.length} layers as tarsmith.lock records)`);
  return { plan: withToolchainImage(plan, pinned), toolchain: { from: 'registry', tag: t.tag, inputsHash: t.inputsHash, ref, pinned, pushed } };
}
