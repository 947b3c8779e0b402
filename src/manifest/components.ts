/**
 * The `components:` section: several upstream trees as a graph of packages. The checks a schema cannot express
 * (sources and dependencies that exist, no cycle, a build named once, what each installs, artifacts taken from
 * what a component installs), each reported at its manifest position through `bad` (the loader's reporter), and
 * the normalised `Component`s.
 */
import * as path from 'node:path';
import type { FailureCode } from '../core/errors.js';
import type { BuildSystem, Component } from './types.js';
import { signingKeyAsSource } from './kernel-checks.js';
import { globRegExp } from '../core/glob.js';

/** The name a component lists in `depends` for the configured kernel tree. */
export const KERNEL_DEPENDENCY = 'kernel';

export const BUILD_SYSTEMS: readonly BuildSystem[] = ['autotools', 'cmake', 'make', 'meson'];

/** One component as the YAML gave it (after the schema). */
export interface RawComponent {
  sources?: string[];
  depends?: string[];
  build?: BuildSystem;
  args?: string[];
  configure?: string[];
  compile?: string[];
  install?: string[];
  steps?: string[];
  env?: Record<string, string>;
  subdir?: string;
  installs?: string[];
}

/** What the component checks read of the rest of the manifest. */
export interface ComponentContext {
  sources: { name: string; extract?: boolean }[];
  kernelSource?: string;
  /** kernel.signingKey: never a component's source. */
  signingKey?: string;
  hasKernel: boolean;
  /** Target name → what it takes from components. */
  targets: [string, { depends?: string[]; artifacts?: (string | { path: string; component?: string })[] }][];
}

type Bad = (code: FailureCode, segs: (string | number)[], message: string, hint: string, value?: string) => void;

const PHASES = ['configure', 'compile', 'install'] as const;

function relInside(p: string): boolean {
  return !path.posix.isAbsolute(p) && !p.split('/').includes('..');
}

/** The sources a component builds from: its `sources:`, else the source of its own name. */
export function componentSources(name: string, c: RawComponent): string[] {
  return c.sources ?? [name];
}

function checkOne(name: string, c: RawComponent, ctx: ComponentContext, names: Set<string>, bad: Bad): void {
  const at = (...segs: (string | number)[]) => ['components', name, ...segs];
  const known = new Set(ctx.sources.map((s) => s.name));
  if (name === KERNEL_DEPENDENCY) bad('manifest.reserved-component-name', at(), `"${KERNEL_DEPENDENCY}" names the kernel in depends and cannot be a component`, 'give the component another name', name);
  if (c.sources === undefined && !known.has(name)) {
    bad('manifest.component-no-source', at(), `component ${name} names no sources and no source is called "${name}"`, `add \`sources: [NAME]\` under components.${name}, naming sources from \`sources:\``, name);
  }
  c.sources?.forEach((s, i) => {
    if (!known.has(s)) bad('manifest.unknown-source', at('sources', i), `components.${name}.sources names no source: "${s}"`, `use one of: ${[...known].join(', ')}`, s);
    else if (s === ctx.signingKey) signingKeyAsSource(bad, at('sources', i), s);
    else if (s === ctx.kernelSource) bad('manifest.component-kernel-source', at('sources', i), `the kernel source "${s}" is built in its own stage`, `drop it from sources and add \`${KERNEL_DEPENDENCY}\` to depends: $KDIR is the configured kernel tree`, s);
  });
  c.depends?.forEach((d, i) => {
    if (d === KERNEL_DEPENDENCY) {
      if (!ctx.hasKernel) bad('manifest.no-kernel', at('depends', i), `component ${name} depends on the kernel, but the manifest has no kernel: section`, 'add kernel: (source, arch, defconfig, fragments), or drop kernel from depends');
    } else if (d === name) bad('manifest.component-cycle', at('depends', i), `component ${name} depends on itself`, 'remove it from its own depends', d);
    else if (!names.has(d)) bad('manifest.unknown-dependency', at('depends', i), `components.${name}.depends names no component: "${d}"`, `use one of: ${[...names, KERNEL_DEPENDENCY].join(', ')}`, d);
  });
  buildFailures(name, c, bad);
  if (c.installs === undefined || c.installs.length === 0) {
    bad('manifest.component-missing-install', at(), `component ${name} does not say what it installs`, `add \`installs:\` under components.${name}: the paths (globs relative to the install tree, e.g. usr/lib/lib${name}.so*) it must install`, name);
  }
  c.installs?.forEach((p, i) => {
    if (!relInside(p)) bad('manifest.path-escape', at('installs', i), 'an installed path must be relative to the install tree and stay inside it', 'write it like usr/lib/libfoo.so* (no leading / and no ..)', p);
  });
  if (c.subdir !== undefined && !relInside(c.subdir)) bad('manifest.path-escape', at('subdir'), 'subdir must be relative to the component\'s first source and stay inside it', 'write it relative to the source tree, without leading / or ..', c.subdir);
}

function buildFailures(name: string, c: RawComponent, bad: Bad): void {
  const at = (...segs: (string | number)[]) => ['components', name, ...segs];
  if (c.steps !== undefined && c.build !== undefined) {
    bad('manifest.component-steps-and-build', at('steps'), `component ${name} has both "build" and "steps"`, `keep one: \`build: ${c.build}\` (with configure/compile/install to replace a phase) or your own \`steps:\``);
  }
  if (c.steps === undefined && c.build === undefined) {
    bad('manifest.component-no-build', at(), `component ${name} says neither how it builds (build:) nor its steps`, `add \`build: autotools\` (or cmake, make, meson), or \`steps:\` that install into $DESTDIR`, name);
  }
  if (c.build === undefined) {
    for (const k of [...PHASES, 'args'] as const) {
      if (c[k] !== undefined) bad('manifest.stray-key', at(k), `"${k}" applies to a build system (build:), but component ${name} has none`, `add \`build: autotools\` (or cmake, make, meson), or put the commands in steps:`);
    }
  }
}

/** The first cycle in the dependency graph, as the path of names that closes it, with the depends index it closes at. */
function findCycle(comps: Record<string, RawComponent>): { path: string[]; index: number } | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): { path: string[]; index: number } | undefined => {
    state.set(n, 'open');
    stack.push(n);
    const deps = comps[n]?.depends ?? [];
    for (let i = 0; i < deps.length; i++) {
      const d = deps[i] as string;
      if (d === n || comps[d] === undefined) continue;
      if (state.get(d) === 'open') return { path: [...stack.slice(stack.indexOf(d)), d], index: i };
      if (state.get(d) === undefined) {
        const found = visit(d);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of Object.keys(comps)) {
    if (state.get(n) !== undefined) continue;
    const found = visit(n);
    if (found) return found;
  }
  return undefined;
}

/** Whether an artifact path (itself possibly a glob) lies within what a component declares it installs. */
export function coveredByInstalls(artifact: string, installs: readonly string[]): boolean {
  const a = artifact.replace(/\/+$/, '');
  return installs.some((i) => {
    const inst = i.replace(/\/+$/, '');
    return a === inst || a.startsWith(`${inst}/`) || globRegExp(inst).test(a) || (a.includes('/') && globRegExp(inst).test(a.split('/').slice(0, inst.split('/').length).join('/')));
  });
}

function targetFailures(comps: Record<string, RawComponent>, ctx: ComponentContext, bad: Bad): void {
  const names = Object.keys(comps);
  for (const [t, spec] of ctx.targets) {
    spec.depends?.forEach((d, i) => {
      if (comps[d] === undefined) bad('manifest.unknown-component', ['build', 'targets', t, 'depends', i], `build.targets.${t}.depends names no component: "${d}"`, names.length ? `use one of: ${names.join(', ')}` : 'declare it under components:', d);
    });
    spec.artifacts?.forEach((a, i) => {
      if (typeof a === 'string' || a.component === undefined) return;
      const c = comps[a.component];
      if (c === undefined) {
        bad('manifest.unknown-component', ['build', 'targets', t, 'artifacts', i, 'component'], `build.targets.${t}.artifacts[${i}] names no component: "${a.component}"`, names.length ? `use one of: ${names.join(', ')}` : 'declare it under components:', a.component);
      } else if (c.installs !== undefined && c.installs.length > 0 && !coveredByInstalls(a.path, c.installs)) {
        bad('manifest.component-artifact-not-installed', ['build', 'targets', t, 'artifacts', i, 'path'], `component ${a.component} does not install "${a.path}" (its installs: ${c.installs.join(', ')})`, `add the path to components.${a.component}.installs, or export a path it installs`, a.path);
      }
    });
  }
}

/** Failures of the components section and of what targets take from it. */
export function componentFailures(comps: Record<string, RawComponent> | undefined, ctx: ComponentContext, bad: Bad): void {
  const all = comps ?? {};
  const names = new Set(Object.keys(all));
  for (const [name, c] of Object.entries(all)) checkOne(name, c, ctx, names, bad);
  const stages = new Map<string, string>();
  for (const name of names) {
    const stage = name.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
    const other = stages.get(stage);
    if (other !== undefined) bad('manifest.component-name-clash', ['components', name], `components ${other} and ${name} would build in the same stage (component-${stage}): stage names are lower case, with "+" as "-"`, 'rename one of them', name);
    else stages.set(stage, name);
  }
  const cycle = findCycle(all);
  if (cycle) {
    const closer = cycle.path[cycle.path.length - 2] as string;
    bad('manifest.component-cycle', ['components', closer, 'depends', cycle.index], `the components depend on each other in a cycle: ${cycle.path.join(' → ')}`, 'remove one of these dependencies: each component builds on the installs of the ones it depends on, so they need an order', cycle.path.at(-1));
  }
  targetFailures(all, ctx, bad);
}

/** The normalised components, in dependency order (each after everything it depends on), ties in written order. */
export function normaliseComponents(comps: Record<string, RawComponent>): Component[] {
  const list = Object.entries(comps).map(([name, c]): Component => ({
    name,
    sources: componentSources(name, c),
    depends: (c.depends ?? []).filter((d) => d !== KERNEL_DEPENDENCY),
    kernel: (c.depends ?? []).includes(KERNEL_DEPENDENCY),
    build: c.build !== undefined
      ? { kind: 'system', system: c.build, args: c.args ?? [], ...Object.fromEntries(PHASES.filter((p) => c[p] !== undefined).map((p) => [p, [...(c[p] as string[])]])) }
      : { kind: 'steps', steps: c.steps ?? [] },
    env: c.env ?? {},
    ...(c.subdir !== undefined ? { subdir: c.subdir.replace(/\/+$/, '') } : {}),
    installs: c.installs ?? [],
  }));
  return dependencyOrder(list);
}

/** Order components so that each comes after its dependencies; stable for independent ones. */
export function dependencyOrder(list: readonly Component[]): Component[] {
  const byName = new Map(list.map((c) => [c.name, c]));
  const out: Component[] = [];
  const placed = new Set<string>();
  const place = (c: Component, seen: Set<string>): void => {
    if (placed.has(c.name) || seen.has(c.name)) return;
    seen.add(c.name);
    for (const d of c.depends) {
      const dc = byName.get(d);
      if (dc) place(dc, seen);
    }
    placed.add(c.name);
    out.push(c);
  };
  for (const c of list) place(c, new Set());
  return out;
}

/** The components `names` need, their dependencies included, in dependency order. */
export function closureOf(all: readonly Component[], names: Iterable<string>): Component[] {
  const byName = new Map(all.map((c) => [c.name, c]));
  const want = new Set<string>();
  const add = (n: string): void => {
    if (want.has(n)) return;
    const c = byName.get(n);
    if (!c) return;
    want.add(n);
    c.depends.forEach(add);
  };
  for (const n of names) add(n);
  return all.filter((c) => want.has(c.name));
}
