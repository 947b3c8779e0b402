/**
 * `tarsmith repro`: the target built twice, the second time under the selected variations and with no engine
 * cache shared after the toolchain, the two out/<name>/ trees compared, every difference explained from its
 * bytes, diffoscope's report beside when it is installed. Kept in out/<name>.repro/ (first/, second/,
 * report.json), written through a temp folder and renamed only when both builds finished.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, renderDiagnostic, type Diagnostic } from '../core/errors.js';
import { exec } from '../core/exec.js';
import { replaceDir, withTempDirBeside, writeFileAtomic } from '../core/fs-atomic.js';
import { log } from '../core/log.js';
import { ARTIFACT_SUMS, build, type BuildOptions, type BuildResult } from '../engine/build.js';
import { SBOM_FILE } from '../attest/files.js';
import { outName, selectTarget, sourceInto, withSourceRoot } from '../engine/plan.js';
import { canonicalJson } from '../lock/lock.js';
import { loadManifest } from '../manifest/load.js';
import type { Manifest, Source } from '../manifest/types.js';
import { compareTrees, NOT_COMPARED, type Difference } from './compare.js';
import { explainBytes, type ExplainContext, type Hint } from './explain.js';
import { HOSTNAME, MARK_VARY, parseVariations, SOURCE_ROOT, USER, VARY_ROOT, VARIATION_ABOUT, variantFor, type Variation } from './variations.js';

export interface ReproOptions extends Omit<BuildOptions, 'out' | 'kernelConfigOnly' | 'variant' | 'noCache'> {
  /** `all`, names, `-name` (see parseVariations). */
  variations?: string;
  /** diffoscope's HTML report too (text always, when diffoscope is installed). */
  html?: boolean;
}

export interface VariationReport {
  name: Variation;
  about: string;
  applied: boolean;
  note?: string;
}

export type Explained = Difference & { hints: Hint[] };

export interface ReproResult {
  ok: boolean;
  name: string;
  target: string;
  /** out/<name>.repro/ */
  out: string;
  variations: VariationReport[];
  /** Paths compared (files, folders, symlinks), tarsmith's record and provenance left out. */
  paths: number;
  notCompared: string[];
  differences: Explained[];
  /** Seconds between the starts of the two builds. */
  apart: number;
  diffoscope: { ran: boolean; reports: string[]; note: string };
}

/** The result's verdict and notes as diagnostics (stderr, or `diagnostics` in --json). */
export function reproDiagnostics(r: ReproResult): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const v of r.variations) {
    if (!v.applied) out.push({ code: 'repro.variation-skipped', severity: 'info', exit: ExitCode.ok, message: `the variation ${v.name} was not applied: ${v.note ?? 'the builder cannot carry it out'}`, value: v.name, hint: 'install what the note names in the builder (builder.packages) to apply the variation' });
  }
  if (!r.ok && !r.diffoscope.ran) out.push({ code: 'repro.no-diffoscope', severity: 'info', exit: ExitCode.ok, message: r.diffoscope.note, hint: 'install diffoscope (Debian: apt-get install diffoscope-minimal) for a full report of every difference' });
  if (!r.ok) {
    out.push({
      code: 'repro.differs', severity: 'error', exit: ExitCode.checkFailed,
      message: `two builds of ${r.name} (target ${r.target}) differ in ${r.differences.length} of ${r.paths} paths: ${r.differences.slice(0, 5).map((d) => d.path).join(', ')}${r.differences.length > 5 ? ', ...' : ''}`,
      hint: 'read the cause given for each file; fix the build step that writes it (SOURCE_DATE_EPOCH, sorted archives, -ffile-prefix-map) and run `tarsmith repro` again',
    });
  }
  return out;
}

export const renderReproDiagnostics = (r: ReproResult): string => reproDiagnostics(r).map((d) => `${renderDiagnostic(d)}\n`).join('');

const sourceDir = (s: Source) => (s.extract ? sourceInto(s) : path.posix.dirname(sourceInto(s)));

/** The folders the second build's steps write in (chowned for the user variation): every source's, and /src. */
function writableDirs(m: Manifest): string[] {
  const dirs = new Set<string>();
  for (const s of m.sources) {
    const d = sourceDir(s);
    dirs.add(d);
    const parent = path.posix.dirname(d);
    if (parent !== '/' && s.into === undefined) dirs.add(parent);
  }
  return [...dirs].sort();
}

/** What the set-up step said about each variation (`tarsmith-vary name=X applied=yes|no NOTE` in the log). */
async function appliedNotes(logFile: string): Promise<Map<string, { applied: boolean; note: string }>> {
  const out = new Map<string, { applied: boolean; note: string }>();
  const text = await fs.readFile(logFile, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const m = new RegExp(`${MARK_VARY} name=(\\S+) applied=(yes|no) ?(.*)$`).exec(line);
    if (m) out.set(m[1]!, { applied: m[2] === 'yes', note: (m[3] ?? '').trim() });
  }
  return out;
}

async function onPath(cmd: string): Promise<boolean> {
  try {
    return (await exec([cmd, '--version'])).code === 0;
  } catch {
    return false;
  }
}

async function diffoscope(first: string, second: string, dir: string, html: boolean): Promise<ReproResult['diffoscope']> {
  if (!(await onPath('diffoscope'))) {
    return { ran: false, reports: [], note: 'diffoscope is not installed (Debian: apt-get install diffoscope-minimal); the hints above come from tarsmith alone' };
  }
  const reports = ['diffoscope.txt', ...(html ? ['diffoscope.html'] : [])];
  // Relative names (run in the report's folder): the report reads first/... and second/..., as kept.
  const argv = ['diffoscope', '--text', 'diffoscope.txt', ...(html ? ['--html', 'diffoscope.html'] : []), ...NOT_COMPARED.flatMap((n) => ['--exclude', n]), path.relative(dir, first), path.relative(dir, second)];
  const r = await exec(argv, { cwd: dir });
  // diffoscope exits 1 when the inputs differ (the expected case here), 2 on its own errors.
  if (r.code > 1) return { ran: false, reports: [], note: `diffoscope failed (exit ${r.code}): ${r.stderr.trim().split('\n').at(-1) ?? ''}` };
  return { ran: true, reports, note: `diffoscope's report: ${reports.join(', ')}` };
}

function context(m: Manifest, selected: readonly Variation[]): ExplainContext {
  const on = new Set(selected);
  const secondOnly: ExplainContext['secondOnly'] = [];
  if (on.has('build-path')) secondOnly.push({ cause: 'build-path', text: SOURCE_ROOT });
  if (on.has('hostname')) secondOnly.push({ cause: 'host-or-user', text: HOSTNAME });
  if (on.has('user')) secondOnly.push({ cause: 'host-or-user', text: USER });
  if (on.has('home')) secondOnly.push({ cause: 'host-or-user', text: `${VARY_ROOT}/home` });
  const wd = m.sources.find((s) => s.name === m.build?.workdir) ?? m.sources[0];
  return { secondOnly, ...(wd ? { firstBuildPath: sourceDir(wd) } : {}) };
}

/** Files tarsmith writes from the artifacts' hashes: they differ whenever an artifact does. */
const DERIVED = [ARTIFACT_SUMS, SBOM_FILE];

async function explainAll(differences: Difference[], first: string, second: string, ctx: ExplainContext): Promise<Explained[]> {
  const out: Explained[] = [];
  const artifactDiffers = differences.some((d) => !DERIVED.includes(d.path));
  for (const d of differences) {
    if (d.what !== 'content') {
      out.push({ ...d, hints: [] });
      continue;
    }
    if (DERIVED.includes(d.path) && artifactDiffers) {
      out.push({ ...d, hints: [{ cause: 'derived', detail: 'written by tarsmith from the artifacts\' sha256: it follows the differences of the artifacts' }] });
      continue;
    }
    const [a, b] = await Promise.all([fs.readFile(path.join(first, d.path)), fs.readFile(path.join(second, d.path))]);
    out.push({ ...d, hints: explainBytes(a, b, ctx, 0, d.path) });
  }
  return out;
}

export async function repro(opts: ReproOptions): Promise<ReproResult> {
  const selected = parseVariations(opts.variations);
  const m = await loadManifest({ ...(opts.manifest !== undefined ? { path: opts.manifest } : {}), ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}) });
  const target = selectTarget(m, opts.target);
  const name = outName(m, target);
  const final = path.join(m.dir, 'out', `${name}.repro`);
  const nonce = randomBytes(8).toString('hex');
  const moved = selected.includes('build-path') ? withSourceRoot(m, SOURCE_ROOT) : m;
  return withTempDirBeside(final, async (tmp) => {
    const one = async (which: 'first' | 'second', variant: BuildOptions['variant']): Promise<{ r: BuildResult; at: number }> => {
      log.info(`repro: the ${which} build${which === 'second' ? ` (varied: ${selected.join(', ') || 'nothing'})` : ''}`);
      const at = Date.now();
      const r = await build({ ...opts, out: path.join(tmp, which), ...(variant ? { variant } : {}) });
      return { r, at };
    };
    const a = await one('first', { buildId: `${nonce}-first` });
    const b = await one('second', variantFor(selected, `${nonce}-second`, writableDirs(moved)));
    const apart = Math.round((b.at - a.at) / 1000);
    const notes = await appliedNotes(path.join(tmp, 'second', `${name}.log`));
    const variations: VariationReport[] = selected.map((v) => {
      const n = notes.get(v);
      const base = { name: v, about: VARIATION_ABOUT[v] };
      if (v === 'build-path') return { ...base, applied: true, note: `sources under ${SOURCE_ROOT}` };
      if (v === 'time' && n && !n.applied) return { ...base, applied: false, note: `${n.note}, ${apart} s apart` };
      return { ...base, applied: n?.applied ?? false, ...(n?.note ? { note: n.note } : n ? {} : { note: 'no note from the set-up step' }) };
    });
    const cmp = await compareTrees(a.r.out, b.r.out);
    const differences = await explainAll(cmp.differences, a.r.out, b.r.out, context(m, selected));
    const ds = differences.length > 0 ? await diffoscope(a.r.out, b.r.out, tmp, Boolean(opts.html)) : { ran: false, reports: [], note: 'identical: no diffoscope report needed' };
    const result: ReproResult = {
      ok: differences.length === 0, name: m.name, target: target.name, out: final, variations, paths: cmp.paths,
      notCompared: [...NOT_COMPARED], differences, apart, diffoscope: ds,
    };
    await writeFileAtomic(path.join(tmp, 'report.json'), canonicalJson(result));
    await replaceDir(tmp, final);
    return result;
  });
}

/** The text report (stdout). */
export function renderRepro(r: ReproResult, rel: (p: string) => string): string {
  const lines: string[] = [];
  lines.push(r.ok
    ? `${r.name} (target ${r.target}) is reproducible: ${r.paths} paths identical in two builds`
    : `${r.name} (target ${r.target}) is NOT reproducible: ${r.differences.length} of ${r.paths} paths differ`);
  for (const d of r.differences) {
    const what = d.what === 'content' ? `content differs (${d.firstSize} and ${d.secondSize} bytes)`
      : d.what === 'symlink' ? `symlink target ${JSON.stringify(d.first)} vs ${JSON.stringify(d.second)}`
      : d.what === 'mode' ? `mode ${d.first.toString(8)} vs ${d.second.toString(8)}`
      : d.what === 'kind' ? `a ${d.first} in the first build, a ${d.second} in the second`
      : d.what === 'only-in-first' ? 'only in the first build' : 'only in the second build';
    lines.push(`  ${d.path}: ${what}`);
    for (const h of d.hints) {
      const [head, ...rest] = h.detail.split('\n');
      lines.push(`    cause: ${h.cause}: ${head ?? ''}`);
      for (const l of rest) lines.push(`      ${l}`);
    }
  }
  lines.push('variations in the second build:');
  for (const v of r.variations) lines.push(`  ${v.name}: ${v.applied ? 'applied' : 'NOT applied'}${v.note ? ` (${v.note})` : ''}`);
  lines.push(`not compared: ${r.notCompared.join(', ')} (they name the generated Dockerfile, which holds the variations)`);
  if (!r.ok) lines.push(r.diffoscope.note);
  lines.push(`kept in ${rel(r.out)}/: first/, second/, report.json${r.diffoscope.reports.map((x) => `, ${x}`).join('')}`);
  return `${lines.join('\n')}\n`;
}
