/**
 * From a build specification (what to build, with every input already resolved to a file in the build context)
 * to the Dockerfile model. Pure: the same spec gives the same model, byte for byte once emitted.
 *
 * Stages: base → toolchain → sources → build → artifacts → runtime (see docs/design/build-engine.md).
 */
import type { BuilderFamily } from '../manifest/types.js';
import { unreachable } from '../core/errors.js';
import { COLLECT_SH, EXTRACT_SH, STEP_SH } from './helpers.js';
import type { Dockerfile, Instruction, Mount, Stage } from './model.js';

/** Where the base layer comes from. */
export type BaseSpec =
  /** A pinned image (`name:tag@sha256:...`). */
  | { kind: 'image'; ref: string }
  /** A root filesystem tarball in the context, added to `scratch`. */
  | { kind: 'rootfs'; contextPath: string }
  /** A toolchain image made earlier by `tarsmith toolchain` (the build then has no base/toolchain stages). */
  | { kind: 'toolchain-image'; ref: string };

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
}

/** A folder of programs copied into the build stage whose bin folder goes first on PATH (e.g. the fetch stand-ins). */
export interface ToolSet {
  /** Context folder holding the files. */
  contextDir: string;
  /** Absolute folder in the build stage it is copied to. */
  dest: string;
  binDir: string;
}

export interface StepSpec {
  /** A stable label naming the step in the manifest, e.g. `targets.hello.steps[1]`. */
  label: string;
  command: string;
}

export interface BuildSpec {
  name: string;
  /** Absolute folder in the container holding the vendored tarballs (the fetch stand-ins read it too). */
  packagesDir: string;
  sourceDateEpoch: number;
  base: BaseSpec;
  family: BuilderFamily;
  packages: string[];
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
} as const;

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function baseStages(spec: BuildSpec): Stage[] {
  const b = spec.base;
  switch (b.kind) {
    case 'toolchain-image':
      return [
        { name: 'toolchain', from: b.ref, doc: ['The toolchain image made by `tarsmith toolchain`.'], instructions: [] },
      ];
    case 'image':
    case 'rootfs': {
      const base: Stage =
        b.kind === 'image'
          ? { name: 'base', from: b.ref, doc: ['The builder image, pinned by digest.'], instructions: [] }
          : {
              name: 'base',
              from: 'scratch',
              doc: ['The builder root filesystem from the locked tarball.'],
              instructions: [
                { kind: 'add', sources: [b.contextPath], dest: '/' },
                { kind: 'env', vars: [{ name: 'PATH', value: [DEFAULT_PATH] }] },
              ],
            };
      return [base, toolchainStage(spec)];
    }
    default:
      return unreachable(b, 'base');
  }
}

function toolchainStage(spec: BuildSpec): Stage {
  const ins: Instruction[] = [];
  if (spec.packages.length > 0) {
    switch (spec.family) {
      case 'apk':
        ins.push({ kind: 'run', argv: ['apk', 'add', '--no-cache', ...spec.packages], mounts: [] });
        break;
      case 'apt': {
        const env = ['env', 'DEBIAN_FRONTEND=noninteractive'];
        ins.push({ kind: 'run', argv: [...env, 'apt-get', 'update'], mounts: [] });
        const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...spec.packages];
        ins.push({ kind: 'run', argv: [...env, ...install], mounts: [] });
        ins.push({ kind: 'run', argv: ['rm', '-rf', '/var/lib/apt/lists'], mounts: [] });
        break;
      }
      default:
        unreachable(spec.family, 'builder family');
    }
  }
  const doc = spec.packages.length > 0 ? 'Toolchain packages (the only step that needs the network).' : 'The base already holds the toolchain.';
  return { name: 'toolchain', from: 'base', doc: [doc], instructions: ins };
}

function sourcesStage(spec: BuildSpec): Stage {
  const ins: Instruction[] = [{ kind: 'copy', sources: ['tarsmith/bin/'], dest: `${IN.bin}/` }];
  const pub = spec.sources.filter((s) => s.contextPath !== undefined);
  if (pub.length > 0) {
    ins.push({ kind: 'copy', sources: ['packages/'], dest: `${spec.packagesDir}/` });
    ins.push({ kind: 'copy', sources: ['tarsmith/SHA256SUMS'], dest: '/tarsmith/SHA256SUMS' });
    ins.push({ kind: 'workdir', path: spec.packagesDir });
    ins.push({ kind: 'run', argv: ['sha256sum', '-c', '/tarsmith/SHA256SUMS'], mounts: [] });
  }
  for (const s of spec.sources) {
    const file = s.secretId !== undefined ? `${IN.secrets}/${s.name}` : `${IN.trees}/${s.name}.tar`;
    const argv = ['/bin/sh', `${IN.bin}/extract.sh`, file, s.treeSha256, s.into];
    const mounts: Mount[] =
      s.secretId !== undefined
        ? [{ type: 'secret', id: s.secretId, target: file }]
        : s.treeContextPath !== undefined
          ? [{ type: 'bind', source: s.treeContextPath, target: file }]
          : [];
    const how = `the checked tree${s.secretId === undefined ? ` of ${s.packagePath}` : ''}${s.allow.length > 0 ? `, allowing ${s.allow.join(', ')}` : ''}`;
    ins.push({ kind: 'comment', text: `source ${s.name}: ${how}${s.secretId !== undefined ? ' (private: mounted for this step only)' : ''}` });
    ins.push({ kind: 'run', argv, mounts });
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

function buildStage(spec: BuildSpec): Stage {
  const e = String(spec.sourceDateEpoch);
  const ins: Instruction[] = [];
  for (const t of spec.tools) ins.push({ kind: 'copy', sources: [`${t.contextDir}/`], dest: `${t.dest}/` });
  const vars: { name: string; value: (string | { ref: string })[] }[] = [
    { name: 'SOURCE_DATE_EPOCH', value: [e] },
    { name: 'KBUILD_BUILD_TIMESTAMP', value: [`@${e}`] },
    { name: 'KBUILD_BUILD_USER', value: ['tarsmith'] },
    { name: 'KBUILD_BUILD_HOST', value: ['tarsmith'] },
    { name: 'TZ', value: ['UTC'] },
    { name: 'LC_ALL', value: ['C.UTF-8'] },
  ];
  for (const k of Object.keys(spec.env).sort()) vars.push({ name: k, value: [spec.env[k] as string] });
  if (spec.tools.length > 0) {
    vars.push({ name: 'PATH', value: [...spec.tools.map((t) => `${t.binDir}:`), { ref: 'PATH' }] });
  }
  ins.push({ kind: 'env', vars });
  ins.push({ kind: 'workdir', path: spec.workdir });
  for (const s of spec.steps) {
    ins.push({ kind: 'run', argv: ['/bin/sh', `${IN.bin}/step.sh`, s.label, s.command], mounts: [] });
  }
  const pairs = spec.artifacts.flatMap((a) => [a.glob, a.rename ?? '']);
  ins.push({ kind: 'run', argv: ['/bin/sh', `${IN.bin}/collect.sh`, IN.out, ...pairs], mounts: [] });
  return { name: 'build', from: 'sources', doc: [`Target ${spec.target}: the build steps, network off.`], instructions: ins };
}

/** The Dockerfile model for a full build (all six stages, or four after `tarsmith toolchain`). */
export function generateDockerfile(spec: BuildSpec): Dockerfile {
  const stages: Stage[] = [...baseStages(spec), sourcesStage(spec), buildStage(spec)];
  stages.push({
    name: 'artifacts',
    from: 'scratch',
    doc: ['Only the declared artifacts.'],
    instructions: [{ kind: 'copy', from: 'build', sources: [`${IN.out}/`], dest: '/' }],
  });
  stages.push({
    name: 'runtime',
    from: 'scratch',
    doc: [`The artifacts under /opt/${spec.name}/.`],
    instructions: [{ kind: 'copy', from: 'artifacts', sources: ['/'], dest: `/opt/${spec.name}/` }],
  });
  return { header: [`Generated by tarsmith for ${spec.name}, target ${spec.target}. Do not edit.`], stages };
}

/** The Dockerfile model of the networked toolchain step alone (base + toolchain). */
export function generateToolchainDockerfile(spec: BuildSpec): Dockerfile {
  return {
    header: [`Generated by tarsmith for ${spec.name}: the toolchain image (networked step).`],
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
    { contextPath: 'tarsmith/bin/step.sh', content: STEP_SH, mode: 0o755 },
  ];
}

/** `.dockerignore` for a staged context: it already holds only what the build needs, so nothing is excluded but
 * editor and VCS leftovers if a reviewer copies the generated folder around. */
export function dockerignore(): string {
  return ['# Generated by tarsmith. The staged context holds only what the build needs.', '.git', '**/.DS_Store', ''].join('\n');
}
