/**
 * Planning the component graph for one target: which components it needs (those its artifacts and `depends` name,
 * with their dependencies), each component's stage spec (its own sources, its sysroot, its steps, cross files),
 * the stages collecting the target's artifacts from install trees, and the sysroot of the target's own build
 * stage. Pure: it reads no files.
 */
import * as path from 'node:path';
import {
  COMPONENT,
  COMPONENT_INSTALL_SH,
  componentArtifactsStage,
  componentStages,
  crossFiles,
  defaultPhases,
  sysrootEnv,
  sysrootStage,
  type ComponentSourceSpec,
  type ComponentStageSpec,
} from '../dockerfile/components.js';
import type { StepSpec } from '../dockerfile/generate.js';
import { COLLECT_SH, PLACE_SH } from '../dockerfile/helpers.js';
import type { Mount, Stage } from '../dockerfile/model.js';
import { closureOf } from '../manifest/components.js';
import type { Component, Manifest, Source, Target } from '../manifest/types.js';
import type { Lock, LockedFile } from '../lock/lock.js';

export interface ComponentContextEntry {
  contextPath: string;
  src?: string;
  content?: string;
  mode?: number;
}

/** What the planner resolves for the component planner (the locked file and canonical tree of a source). */
export interface ComponentInputs {
  locked(s: Source): LockedFile;
  tree(s: Source): { file: string; sha256: string };
  /** Where a source lands in the build tree (its `into`). */
  into(s: Source): string;
}

/** The kernel side a component that depends on the kernel gets: the configured tree mounted, KDIR and friends. */
export interface ComponentKernel {
  kdir: string;
  arch: string;
  crossCompile?: string;
  mounts: Mount[];
}

export interface ComponentsPlan {
  /** The components the target needs, in dependency order. */
  components: Component[];
  stages: Stage[];
  context: ComponentContextEntry[];
  secrets: { id: string; src: string }[];
  steps: StepSpec[];
  artifactImports: { from: string; source: string; dest: string }[];
  /** The target's build stage over the installs of `target.depends` (absent without depends). */
  buildStage?: { stages: Stage[]; mounts: Mount[]; env: Record<string, string> };
  /** Per component: its stage specs' inputs, for the build record. */
  record: Record<string, { sources: { name: string; sha256: string; tree: string }[]; depends: string[]; kernel: boolean; build: string; installs: string[]; stage: string }>;
}

const label = (c: string, what: string) => `components.${c}.${what}`;

/** The cross compiler prefix and triplet of a component's environment (CROSS_COMPILE), if any. */
export function crossOf(env: Record<string, string>): { prefix: string; host: string } | undefined {
  const prefix = env.CROSS_COMPILE;
  if (!prefix) return undefined;
  const host = path.posix.basename(prefix).replace(/-+$/, '');
  return host ? { prefix, host } : undefined;
}

function stepsOf(c: Component, cross: ReturnType<typeof crossOf>, crossFile: string | undefined): StepSpec[] {
  const b = c.build;
  if (b.kind === 'steps') return b.steps.map((command, i) => ({ label: label(c.name, `steps[${i}]`), command }));
  const d = defaultPhases({ system: b.system, args: b.args, ...(cross ? { cross } : {}), ...(crossFile ? { crossFile } : {}) });
  const out: StepSpec[] = [];
  for (const phase of ['configure', 'compile', 'install'] as const) {
    const own = b[phase];
    if (own) own.forEach((command, i) => out.push({ label: label(c.name, `${phase}[${i}]`), command }));
    else d[phase].forEach((command) => out.push({ label: label(c.name, phase), command }));
  }
  return out;
}

function sourcesOf(m: Manifest, c: Component, inputs: ComponentInputs, lock: Lock): { specs: ComponentSourceSpec[]; context: ComponentContextEntry[]; secrets: { id: string; src: string }[] } {
  const specs: ComponentSourceSpec[] = [];
  const context: ComponentContextEntry[] = [];
  const secrets: { id: string; src: string }[] = [];
  for (const name of c.sources) {
    const s = m.sources.find((x) => x.name === name) as Source;
    const l = inputs.locked(s);
    const patches = s.patches.map((p, i) => {
      const cp = `patches/${s.name}/${String(i + 1).padStart(3, '0')}-${path.posix.basename(p)}`;
      context.push({ contextPath: cp, src: path.resolve(m.dir, lock.patches[p]?.file ?? p) });
      return cp;
    });
    const tree = s.extract ? inputs.tree(s) : { file: path.resolve(m.dir, l.file), sha256: l.sha256 };
    const base: ComponentSourceSpec = { name: s.name, packagePath: path.posix.basename(l.file), sha256: l.sha256, strip: s.strip, dropVcs: s.dropVcs, into: inputs.into(s), patches, treeSha256: tree.sha256, allow: [...s.allow], ...(s.extract ? {} : { plain: true }) };
    if (s.private) {
      const id = `source-${s.name}`;
      secrets.push({ id, src: tree.file });
      specs.push({ ...base, secretId: id });
    } else if (s.extract) {
      // Only the checked tree enters the context for a component: not the original under packages/, which the
      // sources stage copies whole (so a component's tarball never invalidates the target's own stages).
      const cp = `trees/${s.name}.tar`;
      context.push({ contextPath: cp, src: tree.file });
      specs.push({ ...base, treeContextPath: cp });
    } else {
      const cp = `components/files/${s.name}/${path.posix.basename(l.file)}`;
      context.push({ contextPath: cp, src: tree.file });
      specs.push({ ...base, fileContextPath: cp });
    }
  }
  return { specs, context, secrets };
}

function envOf(m: Manifest, c: Component, kernel: ComponentKernel | undefined): { vars: { name: string; value: string }[]; merged: Record<string, string> } {
  const e = String(m.sourceDateEpoch);
  const merged: Record<string, string> = {
    ...(c.kernel && kernel ? { KDIR: kernel.kdir, ARCH: kernel.arch, ...(kernel.crossCompile ? { CROSS_COMPILE: kernel.crossCompile } : {}) } : {}),
    ...(m.build?.env ?? {}),
    ...c.env,
  };
  const fixed = [
    { name: 'SOURCE_DATE_EPOCH', value: e },
    { name: 'TZ', value: 'UTC' },
    { name: 'LC_ALL', value: 'C.UTF-8' },
    { name: 'DESTDIR', value: COMPONENT.destdir },
  ];
  const sysroot = c.depends.length > 0 ? sysrootEnv(crossOf(merged)?.host) : [];
  const own = Object.keys(merged).sort().map((k) => ({ name: k, value: merged[k] as string }));
  // The user's variables come last: build.env or the component's env may override any of tarsmith's.
  return { vars: [...[...fixed, ...sysroot].filter((v) => !(v.name in merged)), ...own], merged };
}

function specOf(m: Manifest, all: readonly Component[], c: Component, inputs: ComponentInputs, lock: Lock, kernel: ComponentKernel | undefined) {
  const src = sourcesOf(m, c, inputs, lock);
  const { vars, merged } = envOf(m, c, kernel);
  const cross = crossOf(merged);
  const files: { contextPath: string; dest: string }[] = [];
  const context: ComponentContextEntry[] = [...src.context];
  let crossFile: string | undefined;
  if (cross && c.build.kind === 'system') {
    for (const f of crossFiles(c.build.system, cross.prefix, cross.host)) {
      const cp = `components/cross/${c.build.system}-${cross.host}/${f.name}`;
      crossFile = `${COMPONENT.cross}/${f.name}`;
      context.push({ contextPath: cp, content: f.content, mode: 0o644 });
      files.push({ contextPath: cp, dest: crossFile });
    }
  }
  const first = src.specs[0];
  const top = first ? (first.plain ? path.posix.dirname(first.into) : first.into) : '/src';
  const spec: ComponentStageSpec = {
    name: c.name,
    sourceDateEpoch: m.sourceDateEpoch,
    sources: src.specs,
    sysroot: closureOf(all, c.depends).map((d) => d.name),
    workdir: c.subdir ? path.posix.join(top, c.subdir) : top,
    env: vars,
    steps: stepsOf(c, cross, crossFile),
    installs: c.installs,
    files,
    mounts: c.kernel && kernel ? kernel.mounts : [],
  };
  return { spec, context, secrets: src.secrets };
}

/** The components a target needs: those its artifacts and depends name, their dependencies included. */
export function targetComponents(m: Manifest, t: Target): Component[] {
  const named = [...(t.depends ?? []), ...t.artifacts.flatMap((a) => (a.component !== undefined ? [a.component] : []))];
  return closureOf(m.components ?? [], named);
}

/** Whether any component the target needs builds against the kernel. */
export function componentsNeedKernel(m: Manifest, t: Target): boolean {
  return targetComponents(m, t).some((c) => c.kernel);
}

export function planComponents(m: Manifest, lock: Lock, t: Target, inputs: ComponentInputs, kernel?: ComponentKernel): ComponentsPlan | undefined {
  const all = m.components ?? [];
  const needed = targetComponents(m, t);
  if (needed.length === 0) return undefined;
  const stages: Stage[] = [];
  const context: ComponentContextEntry[] = [
    { contextPath: 'tarsmith/bin/component-install.sh', content: COMPONENT_INSTALL_SH, mode: 0o755 },
    { contextPath: 'tarsmith/bin/collect.sh', content: COLLECT_SH, mode: 0o755 },
  ];
  const secrets: ComponentsPlan['secrets'] = [];
  const steps: StepSpec[] = [];
  const record: ComponentsPlan['record'] = {};
  for (const c of needed) {
    const { spec, context: ctx, secrets: sec } = specOf(m, all, c, inputs, lock, kernel);
    stages.push(...componentStages(spec));
    context.push(...ctx);
    secrets.push(...sec);
    steps.push(...spec.steps);
    if (spec.sources.some((s) => s.plain)) context.push({ contextPath: 'tarsmith/bin/place.sh', content: PLACE_SH, mode: 0o755 });
    record[c.name] = {
      sources: spec.sources.map((s) => ({ name: s.name, sha256: s.sha256, tree: s.treeSha256 })),
      depends: c.depends,
      kernel: c.kernel,
      build: c.build.kind === 'system' ? c.build.system : 'steps',
      installs: c.installs,
      stage: stages[stages.length - 2]?.name ?? '',
    };
  }
  const artifactImports: ComponentsPlan['artifactImports'] = [];
  for (const c of needed) {
    const own = t.artifacts.filter((a) => a.component === c.name).map((a) => (a.rename !== undefined ? { glob: a.path, rename: a.rename } : { glob: a.path }));
    if (own.length === 0) continue;
    const stage = componentArtifactsStage(c.name, own);
    stages.push(stage);
    artifactImports.push({ from: stage.name, source: `${COMPONENT.out}/`, dest: '' });
  }
  return { components: needed, stages, context, secrets, steps, artifactImports, ...buildSide(m, t, all), record };
}

/** The build stage of a target with `depends`: the sysroot mounted on its steps, pkg-config pointed at it. */
function buildSide(m: Manifest, t: Target, all: readonly Component[]): Pick<ComponentsPlan, 'buildStage'> {
  if (!t.depends || t.depends.length === 0) return {};
  const name = `sysroot-${t.name.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`;
  const comps = closureOf(all, t.depends).map((c) => c.name);
  const cross = crossOf(m.build?.env ?? {});
  const env = Object.fromEntries(sysrootEnv(cross?.host).map((v) => [v.name, v.value]));
  return {
    buildStage: {
      stages: [sysrootStage(name, comps)],
      mounts: [{ type: 'bind', from: name, source: '/', target: COMPONENT.sysroot }],
      env,
    },
  };
}
