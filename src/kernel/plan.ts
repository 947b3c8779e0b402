/**
 * The kernel stages of a build, as Dockerfile model stages, and what the build stage of a kernel-using target
 * needs (KDIR and the toolchain variables, the configured tree mounted from its stage, the module builds).
 *
 *   kernel-source      FROM toolchain: only the kernel source's checked tree, unpacked, patched
 *   kernel-base        the base config: make <defconfig>, or the config file (and the kernel's conf tool built)
 *   kernel-config      merge_config.sh -m with the fragments, olddefconfig (a fragment change re-runs only this)
 *   kernel-config-out  FROM scratch: the resolved .config, exported to the host and checked before compiling
 *   kernel             modules_prepare or the full build, the kernel artifacts, the kernel's vermagic
 *
 * The kernel stages depend only on the toolchain, the kernel tarball and its patches, the base config, the
 * fragments and the kernel settings: changing an application source rebuilds the modules, never the kernel.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Instruction, Mount, Stage } from '../dockerfile/model.js';
import { stampEnv, type StepSpec } from '../dockerfile/generate.js';
import { SIGNING_KEY_PATH, type KernelSpec, type Source, type Target } from '../manifest/types.js';
import type { Lock, LockedFile } from '../lock/lock.js';
import { KERNEL_OUT, KERNEL_SH, shellWord } from './scripts.js';

/** A file of the build context (the engine's ContextEntry shape). */
export interface KernelContextEntry {
  contextPath: string;
  src?: string;
  content?: string;
  mode?: number;
}

export interface KernelFragmentInput {
  /** As written in the manifest. */
  path: string;
  /** Absolute host path of the locked copy. */
  file: string;
  /** Where the kernel stages see it. */
  inContainer: string;
}

export interface KernelPlan {
  spec: KernelSpec;
  /** The kernel tree in the container (the kernel source's `into`): KDIR. */
  kdir: string;
  stages: Stage[];
  context: KernelContextEntry[];
  /** The kernel stages' steps (labels `kernel.*`), for mapping a failure back to what failed. */
  steps: StepSpec[];
  /** The stage whose files are the resolved config (exported before compiling). */
  configStage: string;
  /** Environment of the build stage of a kernel-using target. */
  env: Record<string, string>;
  mounts: Mount[];
  moduleSteps: StepSpec[];
  moduleArtifacts: { glob: string; rename: string }[];
  artifactImports: { from: string; source: string; dest: string }[];
  fragments: KernelFragmentInput[];
  /** Absolute host path of the locked kernel tarball (read for explanations and the pre-flight). */
  tarball: string;
  /** sha256 of the kernel source's canonical tree (what the kernel stages unpack). */
  treeSha256: string;
  /** Absolute host path of the locked base config file, when the base is a file. */
  baseFile?: string;
  /** Absolute host paths of the kernel source's patches, in order. */
  patchFiles: string[];
  /** sha256 of every input of the kernel stages; also the fixed randstruct seed. */
  inputsHash: string;
  secrets: { id: string; src: string }[];
}

export interface KernelPlanInput {
  spec: KernelSpec;
  source: Source;
  /** The kernel source's locked tarball. */
  locked: LockedFile;
  /** Its canonical tree: the plain tar the host read through the extraction policy (strip, VCS folders, refusals). */
  tree: { file: string; sha256: string };
  lock: Lock;
  manifestDir: string;
  sourceDateEpoch: number;
  kdir: string;
  workdir: string;
  target: Target;
  /** kernel.signingKey's locked file (a private plain-file source), mounted as a secret where it is used. */
  signingKey?: { file: string; sha256: string };
}

const BIN = '/tarsmith/bin';
const SIGNING_SECRET = 'kernel-signing-key';
/** The declared signing key, for a step that signs. */
const KEY_MOUNT: Mount = { type: 'secret', id: SIGNING_SECRET, target: SIGNING_KEY_PATH };
const TREES_DIR = '/tarsmith/kernel-trees';
const BASE_CONTEXT = 'kernel/inputs/base.config';
const FRAGMENTS_CONTEXT = 'kernel/inputs/fragments';

const step = (label: string, words: string[]): StepSpec => ({ label, command: words.map(shellWord).join(' ') });
/** The label of a kernel stage step, as failures name it: `kernel.base`, `kernel.config`, `kernel.build`, `kernel.install`. */
const kernelStep = (phase: 'base' | 'config' | 'build' | 'install', words: string[]): StepSpec => step(`kernel.${phase}`, words);
const run = (s: StepSpec, mounts: Mount[] = []): Instruction => ({ kind: 'run', argv: ['/bin/sh', `${BIN}/step.sh`, s.label, s.command], mounts });

function lockedFile(lock: Lock, p: string): string {
  return lock.kernelConfigs?.[p]?.file ?? p;
}

function kernelEnv(k: KernelSpec, epoch: number, kdir: string): { name: string; value: string[] }[] {
  return [
    ...stampEnv(epoch),
    { name: 'KBUILD_BUILD_VERSION', value: ['1'] },
    { name: 'ARCH', value: [k.arch] },
    ...(k.crossCompile ? [{ name: 'CROSS_COMPILE', value: [k.crossCompile] }] : []),
    { name: 'KCFLAGS', value: [`-ffile-prefix-map=${kdir}/=`] },
  ];
}

interface Inputs {
  context: KernelContextEntry[];
  baseFile?: string;
  fragments: KernelFragmentInput[];
  base: { kind: 'defconfig' | 'file'; arg: string };
  hashParts: string[];
}

function configInputs(i: KernelPlanInput): Inputs {
  const k = i.spec;
  const context: KernelContextEntry[] = [];
  const hashParts: string[] = [];
  let base: Inputs['base'] = { kind: 'defconfig', arg: k.base.kind === 'defconfig' ? k.base.target : '' };
  let baseFile: string | undefined;
  if (k.base.kind === 'file') {
    baseFile = path.resolve(i.manifestDir, lockedFile(i.lock, k.base.path));
    context.push({ contextPath: BASE_CONTEXT, src: baseFile });
    base = { kind: 'file', arg: `${KERNEL_OUT.inputs}/base.config` };
    hashParts.push(`base ${i.lock.kernelConfigs?.[k.base.path]?.sha256 ?? k.base.path}`);
  } else hashParts.push(`defconfig ${k.base.target}`);
  const fragments = k.fragments.map((f, n): KernelFragmentInput => {
    const name = `${String(n + 1).padStart(3, '0')}.config`;
    const file = path.resolve(i.manifestDir, lockedFile(i.lock, f));
    context.push({ contextPath: `${FRAGMENTS_CONTEXT}/${name}`, src: file });
    hashParts.push(`fragment ${i.lock.kernelConfigs?.[f]?.sha256 ?? f}`);
    return { path: f, file, inContainer: `${KERNEL_OUT.inputs}/fragments/${name}` };
  });
  return { context, fragments, base, hashParts, ...(baseFile !== undefined ? { baseFile } : {}) };
}

function sourceStage(i: KernelPlanInput, inputs: Inputs): { stage: Stage; context: KernelContextEntry[]; secrets: KernelPlan['secrets'] } {
  const s = i.source;
  const file = `${TREES_DIR}/${s.name}.tar`;
  const context: KernelContextEntry[] = [{ contextPath: `tarsmith/bin/kernel.sh`, content: KERNEL_SH, mode: 0o755 }];
  const secrets: KernelPlan['secrets'] = [];
  const ins: Instruction[] = [
    { kind: 'copy', sources: ['tarsmith/bin/extract.sh', 'tarsmith/bin/step.sh', 'tarsmith/bin/kernel.sh'], dest: `${BIN}/` },
  ];
  // The same canonical tree and extract.sh as every other source: no decompressor needed in the builder.
  const extract = ['/bin/sh', `${BIN}/extract.sh`, file, i.tree.sha256, i.kdir];
  if (s.private) {
    const id = `source-${s.name}`;
    secrets.push({ id, src: i.tree.file });
    ins.push({ kind: 'run', argv: extract, mounts: [{ type: 'secret', id, target: file }] });
  } else {
    const cp = `kernel/trees/${s.name}.tar`;
    context.push({ contextPath: cp, src: i.tree.file });
    ins.push({ kind: 'run', argv: extract, mounts: [{ type: 'bind', source: cp, target: file }] });
  }
  s.patches.forEach((p, n) => {
    const cp = `kernel/patches/${String(n + 1).padStart(3, '0')}.patch`;
    context.push({ contextPath: cp, src: path.resolve(i.manifestDir, i.lock.patches[p]?.file ?? p) });
    ins.push({ kind: 'copy', sources: [cp], dest: `/tarsmith/kernel-patches/` });
    ins.push({ kind: 'run', argv: ['patch', '-p1', '-d', i.kdir, '-i', `/tarsmith/kernel-patches/${path.posix.basename(cp)}`], mounts: [] });
  });
  const doc = [`The kernel source ${s.name} alone (no other source enters the kernel stages).`];
  return { stage: { name: 'kernel-source', from: 'toolchain', doc, instructions: ins }, context, secrets };
}

/** Plan the kernel stages and the kernel side of a kernel-using target. Pure. */
export function planKernel(i: KernelPlanInput): KernelPlan {
  const k = i.spec;
  const inputs = configInputs(i);
  const src = sourceStage(i, inputs);
  const patchShas = i.source.patches.map((p) => i.lock.patches[p]?.sha256 ?? p);
  // The signing key's hash is an input too: BuildKit's cache keys do not cover a secret's content, and the kernel
  // built with it holds its certificate.
  const inputsHash = createHash('sha256')
    .update([`kernel ${i.locked.sha256}`, `tree ${i.tree.sha256}`, ...patchShas.map((p) => `patch ${p}`), ...inputs.hashParts, `arch ${k.arch}`, `cross ${k.crossCompile ?? ''}`, `build ${k.build}`, `epoch ${i.sourceDateEpoch}`, ...(i.signingKey ? [`signing-key ${i.signingKey.sha256}`] : [])].join('\n'))
    .digest('hex');
  const keyMount: Mount[] = i.signingKey ? [KEY_MOUNT] : [];
  const baseStep = kernelStep('base', ['/bin/sh', `${BIN}/kernel.sh`, 'base', KERNEL_OUT.config, inputs.base.kind, inputs.base.arg]);
  const configStep = kernelStep('config', ['/bin/sh', `${BIN}/kernel.sh`, 'config', KERNEL_OUT.config, ...inputs.fragments.map((f) => f.inContainer)]);
  const buildStep = kernelStep('build', ['/bin/sh', `${BIN}/kernel.sh`, 'build', KERNEL_OUT.build, k.build, inputsHash]);
  const installStep = k.artifacts.length > 0 ? [kernelStep('install', ['/bin/sh', `${BIN}/kernel.sh`, 'install', KERNEL_OUT.build, ...k.artifacts])] : [];
  const env = kernelEnv(k, i.sourceDateEpoch, i.kdir);
  // The base config file and the fragments are mounted each for its own step alone: no layer of their own over
  // the extracted tree (a COPY there costs a snapshot of the whole tree, longer than the copy itself), and the
  // base stage's cache key does not hold the fragments, so a fragment change re-runs only the config step.
  const bind = (source: string, target: string): Mount[] => [{ type: 'bind', source, target }];
  const stages: Stage[] = [
    src.stage,
    {
      name: 'kernel-base',
      from: 'kernel-source',
      doc: [`The base config: ${inputs.base.kind === 'file' ? 'the config file (and the kernel\'s conf tool built)' : `make ${inputs.base.arg}`}.`],
      instructions: [
        { kind: 'env', vars: env }, { kind: 'workdir', path: i.kdir },
        run(baseStep, inputs.base.kind === 'file' ? bind(BASE_CONTEXT, inputs.base.arg) : []),
      ],
    },
    {
      name: 'kernel-config',
      from: 'kernel-base',
      doc: ['The kernel config: the fragments merged with merge_config.sh -m, then olddefconfig.'],
      instructions: [run(configStep, inputs.fragments.length > 0 ? bind(FRAGMENTS_CONTEXT, `${KERNEL_OUT.inputs}/fragments`) : [])],
    },
    {
      name: 'kernel-config-out',
      from: 'scratch',
      doc: ['The resolved config, checked against the fragments on the host before anything is compiled.'],
      instructions: [{ kind: 'copy', from: 'kernel-config', sources: [`${KERNEL_OUT.config}/`], dest: '/' }],
    },
    {
      name: 'kernel',
      from: 'kernel-config',
      doc: [`The kernel: ${k.build === 'full' ? 'the full build' : 'modules_prepare'}${k.artifacts.length ? `, then ${k.artifacts.join(', ')}` : ''}.`],
      // The declared signing key, for the kernel's own signing: certs/ (the certificate built into the kernel) and
      // modules_install (CONFIG_MODULE_SIG_ALL).
      instructions: [run(buildStep, keyMount), ...installStep.map((s) => run(s, keyMount))],
    },
  ];
  return {
    spec: k,
    kdir: i.kdir,
    stages,
    context: [...src.context, ...inputs.context],
    steps: [baseStep, configStep, buildStep, ...installStep],
    configStage: 'kernel-config-out',
    ...targetSide(i),
    artifactImports: [{ from: 'kernel', source: `${KERNEL_OUT.build}/`, dest: 'kernel/' }],
    fragments: inputs.fragments,
    tarball: path.resolve(i.manifestDir, i.locked.file),
    treeSha256: i.tree.sha256,
    ...(inputs.baseFile !== undefined ? { baseFile: inputs.baseFile } : {}),
    patchFiles: i.source.patches.map((p) => path.resolve(i.manifestDir, i.lock.patches[p]?.file ?? p)),
    inputsHash,
    secrets: [...src.secrets, ...(i.signingKey ? [{ id: SIGNING_SECRET, src: i.signingKey.file }] : [])],
  };
}

/** The build stage of a kernel-using target: KDIR and friends, the kernel tree mounted, the module builds. */
function targetSide(i: KernelPlanInput): Pick<KernelPlan, 'env' | 'mounts' | 'moduleSteps' | 'moduleArtifacts'> {
  const k = i.spec;
  const env: Record<string, string> = {
    KDIR: i.kdir,
    ARCH: k.arch,
    ...(k.crossCompile ? { CROSS_COMPILE: k.crossCompile } : {}),
    KCFLAGS: `-ffile-prefix-map=${i.kdir}/= -ffile-prefix-map=${i.workdir}/=`,
  };
  const mounts: Mount[] = [{ type: 'bind', from: 'kernel', source: i.kdir, target: i.kdir, rw: true }];
  const built: string[] = [];
  const moduleSteps = i.target.modules.map((mod, n) => {
    const dir = path.posix.resolve(i.workdir, mod.path);
    const extra = built.map((d) => `${d}/Module.symvers`).join(' ');
    built.push(dir);
    return step(`build.targets.${i.target.name}.modules[${n}]`, ['make', '-C', i.kdir, `M=${dir}`, ...(extra ? [`KBUILD_EXTRA_SYMBOLS=${extra}`] : []), 'modules']);
  });
  const moduleArtifacts = i.target.modules.map((mod) => ({ glob: `${mod.path}/*.ko`, rename: `modules/${mod.path}/` }));
  if (i.signingKey && built.length > 0) moduleSteps.push(signStep(i, built, i.signingKey.sha256));
  return { env, mounts, moduleSteps, moduleArtifacts };
}

/**
 * Sign the target's modules with the declared key, with the kernel's own scripts/sign-file and the hash the config
 * names (CONFIG_MODULE_SIG_HASH). The key is mounted for this step alone; its sha256 in the command (a comment)
 * makes a new key a new step for BuildKit's cache, which does not look at a secret's content. An RSA key signs
 * deterministically (PKCS#1 v1.5, no signing time): the same .ko bytes on every build.
 */
function signStep(i: KernelPlanInput, dirs: string[], keySha: string): StepSpec {
  const key = shellWord(SIGNING_KEY_PATH);
  const command = [
    `hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\\(.*\\)"$/\\1/p' ${shellWord(`${i.kdir}/.config`)})`,
    `&& for ko in ${dirs.map((d) => `${shellWord(d)}/*.ko`).join(' ')}; do ${shellWord(`${i.kdir}/scripts/sign-file`)} "$hash" ${key} ${key} "$ko" || exit 1; done`,
    `# signing key sha256:${keySha}`,
  ].join(' ');
  return { label: `build.targets.${i.target.name}.modules.sign`, command, mounts: [KEY_MOUNT] };
}
