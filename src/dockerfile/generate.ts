/**
 * From a build specification (what to build, with every input already resolved to a file in the build context)
 * to the Dockerfile model. Pure: the same spec gives the same model, byte for byte once emitted.
 *
 * Stages: base → toolchain → sources → build → artifacts → runtime (see docs/design/build-engine.md).
 */
import type { BuilderFamily } from '../manifest/types.js';
import { unreachable } from '../core/errors.js';
import { COLLECT_SH, EXTRACT_SH, GITCONFIG, PLACE_SH, STEP_SH } from './helpers.js';
import type { Dockerfile, Instruction, Mount, Stage } from './model.js';

/** Where the base layer comes from. */
export type BaseSpec =
  /** A pinned image (`name:tag@sha256:...`). */
  | { kind: 'image'; ref: string }
  /** A root filesystem tarball in the context, added to `scratch`. */
  | { kind: 'rootfs'; contextPath: string }
  /** A toolchain image made earlier by `tarsmith toolchain` (the build then has no base/toolchain stages). */
  | { kind: 'toolchain-image'; ref: string }
  /** The locked rootfs as an image of its own (one layer: the tarball's bytes), pulled by digest from a registry. */
  | { kind: 'rootfs-image'; ref: string };

export interface SourceSpec {
  name: string;
  /** Context path of the tarball; undefined for a private source (mounted as a secret instead). */
  contextPath?: string;
  /** The secret id of a private source. */
  secretId?: string;
  /** Path of the tarball under the packages folder (as under the project's packages/). */
  packagePath: string;
  sha256: string;
  strip: number;
  dropVcs: boolean;
  /** Absolute folder in the container. */
  into: string;
  /** Context paths of the patches, in order. */
  patches: string[];
  /** Context path of the canonical tree (a plain tar the host checked); undefined for a private source. */
  treeContextPath?: string;
  /** sha256 of the canonical tree. */
  treeSha256: string;
  /** Member classes this source's policy allowed (recorded; see src/archive/policy.ts). */
  allow: string[];
  /** A plain file (extract: false): `into` is the file's own path; strip/dropVcs/patches/allow do not apply. */
  plain?: boolean;
}

/** A folder of programs copied into the build stage whose bin folder goes first on PATH (e.g. the fetch stand-ins). */
export interface ToolSet {
  /** Context folder holding the files. */
  contextDir: string;
  /** Absolute folder in the build stage it is copied to. */
  dest: string;
  /** Put first on PATH (none: the files are only copied). */
  binDir?: string;
}

export interface StepSpec {
  /** A stable label naming the step in the manifest, e.g. `targets.hello.steps[1]`. */
  label: string;
  command: string;
  /** Mounts of this step alone, besides the build stage's (a secret only it reads). */
  mounts?: Mount[];
}

/** The locked toolchain packages, installed from files with the network off. */
export interface ToolchainInstall {
  /** Context folder bind-mounted at /mnt for the install step: the install script and the package files. */
  contextDir: string;
  /** The packages, sorted by key: their file (relative to `contextDir`), listed in packages.list in this order. */
  packages: { key: string; version: string; file: string }[];
  /** dpkg architectures to add first (apt only), sorted. */
  foreignArchitectures: string[];
}

export interface BuildSpec {
  name: string;
  /** Absolute folder in the container holding the vendored tarballs (the fetch stand-ins read it too). */
  packagesDir: string;
  sourceDateEpoch: number;
  base: BaseSpec;
  family: BuilderFamily;
  /** builder.packages as the package manager names them (for the stage's comment). */
  packages: string[];
  /** The locked closure to install; absent when builder.packages is empty. */
  toolchain?: ToolchainInstall;
  sources: SourceSpec[];
  /** Absolute working directory of the build steps. */
  workdir: string;
  env: Record<string, string>;
  steps: StepSpec[];
  /** Version stamps: context file → absolute destination. */
  stamps: { contextPath: string; dest: string }[];
  tools: ToolSet[];
  artifacts: { glob: string; rename?: string }[];
  /** Target name (for comments). */
  target: string;
  /** Stages placed between `sources` and `build` (e.g. the kernel's), each complete. */
  extraStages?: Stage[];
  /** Mounts on every RUN of the build stage (e.g. the configured kernel tree from its stage). */
  stepMounts?: Mount[];
  /** Folders of other stages copied into the artifacts stage (`dest` relative to the artifacts root). */
  artifactImports?: { from: string; source: string; dest: string }[];
  /**
   * A build of its own (`tarsmith repro`): `ENV TARSMITH_BUILD_ID=<id>` opens the sources stage, so no stage after
   * the toolchain shares the engine's cache with a build of another id.
   */
  buildId?: string;
  /** An argv put before `step.sh` in every build step (a wrapper that changes the step's environment). */
  stepWrapper?: string[];
  /** Commands run once in the build stage before the steps (with the steps' mounts). */
  stepSetup?: string[][];
}

/** Files the generated Dockerfile expects in the context besides the inputs: helper scripts, checksums. */
export interface HelperFile {
  contextPath: string;
  content: string;
  mode: number;
}

export const IN = {
  bin: '/tarsmith/bin',
  patches: '/tarsmith/patches',
  trees: '/tarsmith/trees',
  secrets: '/run/tarsmith',
  out: '/tarsmith/out',
  gitconfig: '/tarsmith/gitconfig',
} as const;

const GITCONFIG_CONTEXT = 'tarsmith/gitconfig';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function baseStages(spec: BuildSpec): Stage[] {
  const b = spec.base;
  switch (b.kind) {
    case 'toolchain-image':
      return [
        { name: 'toolchain', from: b.ref, doc: ['The toolchain image made by `tarsmith toolchain`.'], instructions: [] },
      ];
    case 'image':
      return [{ name: 'base', from: b.ref, doc: ['The builder image, pinned by digest.'], instructions: mountPointsAdd(spec) }, toolchainStage(spec)];
    case 'rootfs-image':
    case 'rootfs': {
      // The locked rootfs, from the context or as an image of its own: the same PATH for the steps either way.
      const path: Instruction = { kind: 'env', vars: [{ name: 'PATH', value: [DEFAULT_PATH] }] };
      const base: Stage =
        b.kind === 'rootfs-image'
          ? { name: 'base', from: b.ref, doc: ['The builder root filesystem: the locked tarball as an image layer, pinned by digest.'], instructions: [...mountPointsAdd(spec), path] }
          : { name: 'base', from: 'scratch', doc: ['The builder root filesystem from the locked tarball.'], instructions: [{ kind: 'add', sources: [b.contextPath], dest: '/' }, ...mountPointsAdd(spec), path] };
      return [base, toolchainStage(spec)];
    }
    default:
      return unreachable(b, 'base');
  }
}

/** Context path of the mount-point tar (see mount-points.ts). */
export const MOUNT_POINTS_TAR = 'tarsmith/mount-points.tar';

/** With a toolchain to install, the engine's mount points as files of the base (so its layer is reproducible). */
function mountPointsAdd(spec: BuildSpec): Instruction[] {
  return spec.toolchain ? [{ kind: 'add', sources: [MOUNT_POINTS_TAR], dest: '/' }] : [];
}

/** Where the toolchain context folder is mounted for the install step (a folder every base has). */
export const TOOLCHAIN_MOUNT = '/mnt';

export function installScriptName(family: BuilderFamily): string {
  return family === 'apt' ? 'install-apt.sh' : 'install-apk.sh';
}

function toolchainStage(spec: BuildSpec): Stage {
  const t = spec.toolchain;
  if (!t) return { name: 'toolchain', from: 'base', doc: ['The base already holds the toolchain.'], instructions: [] };
  const e = String(spec.sourceDateEpoch);
  const script = `${TOOLCHAIN_MOUNT}/${installScriptName(spec.family)}`;
  const archs = spec.family === 'apt' ? t.foreignArchitectures : [];
  const mounts = [
    { type: 'bind' as const, source: t.contextDir, target: TOOLCHAIN_MOUNT },
    { type: 'tmpfs' as const, target: '/tmp' },
  ];
  const ins: Instruction[] = [
    { kind: 'comment', text: `builder.packages: ${spec.packages.join(' ')}` },
    { kind: 'comment', text: `the locked closure, ${t.packages.length} packages from packages/${spec.family === 'apt' ? 'debs' : 'apks'}/ (${t.contextDir}/packages.list):` },
    ...t.packages.map((p): Instruction => ({ kind: 'comment', text: `  ${p.key} ${p.version}` })),
    { kind: 'run', argv: ['/bin/sh', script, e, ...archs], mounts },
  ];
  return { name: 'toolchain', from: 'base', doc: ['Toolchain packages: the locked files, no network, per-run files removed, mtimes clamped.'], instructions: ins };
}

/** A plain file (extract: false): placed at its path, checked against its locked sha256. */
function placeSource(spec: BuildSpec, s: SourceSpec): Instruction[] {
  const file = s.secretId !== undefined ? `${IN.secrets}/${s.name}` : `${spec.packagesDir}/${s.packagePath}`;
  const mounts: Mount[] = s.secretId !== undefined ? [{ type: 'secret', id: s.secretId, target: file }] : [];
  return [
    { kind: 'comment', text: `plain file ${s.name}${s.secretId !== undefined ? ' (private: mounted for this step only)' : ''}` },
    { kind: 'run', argv: ['/bin/sh', `${IN.bin}/place.sh`, file, s.sha256, s.into], mounts },
  ];
}

/** An archive source: its canonical tree (a plain tar the host checked) unpacked by extract.sh. */
function extractSource(s: SourceSpec): Instruction[] {
  const file = s.secretId !== undefined ? `${IN.secrets}/${s.name}` : `${IN.trees}/${s.name}.tar`;
  const argv = ['/bin/sh', `${IN.bin}/extract.sh`, file, s.treeSha256, s.into];
  const mounts: Mount[] =
    s.secretId !== undefined
      ? [{ type: 'secret', id: s.secretId, target: file }]
      : s.treeContextPath !== undefined
        ? [{ type: 'bind', source: s.treeContextPath, target: file }]
        : [];
  const how = `the checked tree${s.secretId === undefined ? ` of ${s.packagePath}` : ''}${s.allow.length > 0 ? `, allowing ${s.allow.join(', ')}` : ''}`;
  return [
    { kind: 'comment', text: `source ${s.name}: ${how}${s.secretId !== undefined ? ' (private: mounted for this step only)' : ''}` },
    { kind: 'run', argv, mounts },
  ];
}

function sourcesStage(spec: BuildSpec): Stage {
  const ins: Instruction[] = [];
  if (spec.buildId !== undefined) ins.push({ kind: 'env', vars: [{ name: 'TARSMITH_BUILD_ID', value: [spec.buildId] }] });
  ins.push({ kind: 'copy', sources: ['tarsmith/bin/'], dest: `${IN.bin}/` });
  const pub = spec.sources.filter((s) => s.contextPath !== undefined);
  if (pub.length > 0) {
    ins.push({ kind: 'copy', sources: ['packages/'], dest: `${spec.packagesDir}/` });
    ins.push({ kind: 'copy', sources: ['tarsmith/SHA256SUMS'], dest: '/tarsmith/SHA256SUMS' });
    ins.push({ kind: 'workdir', path: spec.packagesDir });
    ins.push({ kind: 'run', argv: ['sha256sum', '-c', '/tarsmith/SHA256SUMS'], mounts: [] });
  }
  for (const s of spec.sources) {
    ins.push(...(s.plain ? placeSource(spec, s) : extractSource(s)));
    if (s.patches.length > 0) {
      ins.push({ kind: 'copy', sources: s.patches, dest: `${IN.patches}/${s.name}/` });
      for (const p of s.patches) {
        const inContainer = `${IN.patches}/${s.name}/${p.slice(p.lastIndexOf('/') + 1)}`;
        ins.push({ kind: 'run', argv: ['patch', '-p1', '-d', s.into, '-i', inContainer], mounts: [] });
      }
    }
  }
  for (const st of spec.stamps) ins.push({ kind: 'copy', sources: [st.contextPath], dest: st.dest });
  return { name: 'sources', from: 'toolchain', doc: ['The locked sources, checked, extracted and patched.'], instructions: ins };
}

/** The fixed stamps every build step sees: SOURCE_DATE_EPOCH, the kernel's build user/host/time, UTC, C.UTF-8. */
export function stampEnv(sourceDateEpoch: number): { name: string; value: string[] }[] {
  const e = String(sourceDateEpoch);
  return [
    { name: 'SOURCE_DATE_EPOCH', value: [e] },
    { name: 'KBUILD_BUILD_TIMESTAMP', value: [`@${e}`] },
    { name: 'KBUILD_BUILD_USER', value: ['tarsmith'] },
    { name: 'KBUILD_BUILD_HOST', value: ['tarsmith'] },
    { name: 'TZ', value: ['UTC'] },
    { name: 'LC_ALL', value: ['C.UTF-8'] },
  ];
}

function buildStage(spec: BuildSpec): Stage {
  const e = String(spec.sourceDateEpoch);
  const ins: Instruction[] = [];
  for (const t of spec.tools) ins.push({ kind: 'copy', sources: [`${t.contextDir}/`], dest: `${t.dest}/` });
  ins.push({ kind: 'copy', sources: [GITCONFIG_CONTEXT], dest: IN.gitconfig });
  const gitDate = `@${e} +0000`;
  const vars: { name: string; value: (string | { ref: string })[] }[] = [
    ...stampEnv(spec.sourceDateEpoch),
    { name: 'GIT_CONFIG_GLOBAL', value: [IN.gitconfig] },
    { name: 'GIT_AUTHOR_DATE', value: [gitDate] },
    { name: 'GIT_COMMITTER_DATE', value: [gitDate] },
  ];
  for (const k of Object.keys(spec.env).sort()) vars.push({ name: k, value: [spec.env[k] as string] });
  const bins = spec.tools.flatMap((t) => (t.binDir !== undefined ? [`${t.binDir}:`] : []));
  if (bins.length > 0) vars.push({ name: 'PATH', value: [...bins, { ref: 'PATH' }] });
  ins.push({ kind: 'env', vars });
  ins.push({ kind: 'workdir', path: spec.workdir });
  const mounts = spec.stepMounts ?? [];
  for (const argv of spec.stepSetup ?? []) ins.push({ kind: 'run', argv, mounts });
  for (const s of spec.steps) {
    ins.push({ kind: 'run', argv: [...(spec.stepWrapper ?? []), '/bin/sh', `${IN.bin}/step.sh`, s.label, s.command], mounts: [...mounts, ...(s.mounts ?? [])] });
  }
  const pairs = spec.artifacts.flatMap((a) => [a.glob, a.rename ?? '']);
  ins.push({ kind: 'run', argv: ['/bin/sh', `${IN.bin}/collect.sh`, IN.out, ...pairs], mounts });
  return { name: 'build', from: 'sources', doc: [`Target ${spec.target}: the build steps, network off.`], instructions: ins };
}

/** The Dockerfile model for a full build (all six stages, or four after `tarsmith toolchain`). */
export function generateDockerfile(spec: BuildSpec): Dockerfile {
  const stages: Stage[] = [...baseStages(spec), sourcesStage(spec), ...(spec.extraStages ?? []), buildStage(spec)];
  const imports: Instruction[] = (spec.artifactImports ?? []).map((a) => ({ kind: 'copy', from: a.from, sources: [a.source], dest: `/${a.dest}` }));
  stages.push({
    name: 'artifacts',
    from: 'scratch',
    doc: ['Only the declared artifacts.'],
    instructions: [{ kind: 'copy', from: 'build', sources: [`${IN.out}/`], dest: '/' }, ...imports],
  });
  stages.push({
    name: 'runtime',
    from: 'scratch',
    doc: [`The artifacts under /opt/${spec.name}/.`],
    instructions: [{ kind: 'copy', from: 'artifacts', sources: ['/'], dest: `/opt/${spec.name}/` }],
  });
  return { header: [`Generated by tarsmith for ${spec.name}, target ${spec.target}. Do not edit.`], stages };
}

/** The Dockerfile model of the toolchain step alone (base + toolchain), built with the network off. */
export function generateToolchainDockerfile(spec: BuildSpec): Dockerfile {
  return {
    header: [`Generated by tarsmith for ${spec.name}: the toolchain image (network off; packages from packages/).`],
    stages: baseStages(spec),
  };
}

/** The helper files every build context carries; SHA256SUMS lists the public source tarballs. */
export function helperFiles(spec: BuildSpec): HelperFile[] {
  const sums = spec.sources
    .filter((s) => s.contextPath !== undefined)
    .map((s) => `${s.sha256}  ${s.packagePath}\n`)
    .join('');
  return [
    { contextPath: 'tarsmith/SHA256SUMS', content: sums, mode: 0o644 },
    { contextPath: 'tarsmith/bin/collect.sh', content: COLLECT_SH, mode: 0o755 },
    { contextPath: 'tarsmith/bin/extract.sh', content: EXTRACT_SH, mode: 0o755 },
    ...(spec.sources.some((s) => s.plain) ? [{ contextPath: 'tarsmith/bin/place.sh', content: PLACE_SH, mode: 0o755 }] : []),
    { contextPath: 'tarsmith/bin/step.sh', content: STEP_SH, mode: 0o755 },
    { contextPath: GITCONFIG_CONTEXT, content: GITCONFIG, mode: 0o644 },
  ];
}

/** `.dockerignore` for a staged context: it already holds only what the build needs, so nothing is excluded but
 * editor and VCS leftovers if a reviewer copies the generated folder around. */
export function dockerignore(): string {
  return ['# Generated by tarsmith. The staged context holds only what the build needs.', '.git', '**/.DS_Store', ''].join('\n');
}
