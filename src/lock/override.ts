/**
 * Build-time source overrides (`--source NAME=PATH` on build, image and generate): one build reads a source from
 * another file than the one tarsmith.lock names. The override is never trusted silently: its file is hashed here,
 * read through the one extraction policy like every source (the build makes its canonical tree from it), named in
 * a warning on every run, and recorded in the build record with its sha256 beside the locked one. tarsmith.lock
 * and packages/SHA256SUMS are not touched: `tarsmith vendor` is how the lock changes.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, fail, type Failure } from '../core/errors.js';
import { nearest } from '../core/suggest.js';
import type { Manifest } from '../manifest/types.js';
import { hashFilesMemo } from './hash-memo.js';
import type { Lock, LockedSource } from './lock.js';
import { whereOf } from './where.js';

/** One `NAME=PATH` as given on the command line. */
export interface OverrideRequest {
  name: string;
  path: string;
}

/** One applied override: the file the build reads instead of the locked one. */
export interface SourceOverride {
  name: string;
  /** As the lock's entry would name it: relative to the manifest folder when inside it, else absolute. */
  file: string;
  /** Absolute host path. */
  abs: string;
  sha256: string;
  size: number;
  /** The locked entry the override stands in for. */
  locked: { file: string; sha256: string; treeHash: string };
}

const usage = (f: Omit<Failure, 'exit'>): never => fail({ ...f, exit: ExitCode.usage });

/** Parse `NAME=PATH` (repeatable; a name may be given once). */
export function parseOverrides(specs: readonly string[]): OverrideRequest[] {
  const out: OverrideRequest[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.slice(0, eq) : '';
    const p = eq > 0 ? spec.slice(eq + 1) : '';
    if (!name || !p) {
      usage({ code: 'usage.bad-source-override', message: 'a source override is NAME=PATH', value: spec, hint: 'give e.g. --source ask=packages/ASK-2.tar.gz (NAME is a source of the manifest)' });
    }
    if (out.some((o) => o.name === name)) {
      usage({ code: 'usage.bad-source-override', message: `source "${name}" is overridden twice`, value: spec, hint: 'give one --source per source name' });
    }
    out.push({ name, path: p });
  }
  return out;
}

function relativeName(m: Manifest, abs: string): string {
  const rel = path.relative(m.dir, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}

async function checkFile(m: Manifest, r: OverrideRequest, abs: string): Promise<void> {
  const st = await fs.stat(abs).catch((e: NodeJS.ErrnoException) => e);
  if (st instanceof Error || !st.isFile()) {
    fail({
      code: 'verify.override-missing',
      message: `source "${r.name}": the override ${r.path} ${st instanceof Error ? (st.code === 'ENOENT' ? 'does not exist' : `cannot be read (${st.code ?? st.message})`) : 'is not a regular file'}`,
      value: r.path,
      exit: ExitCode.checkFailed,
      where: { file: m.file },
      hint: 'give the path of the file to build from (relative to the current folder), e.g. --source ask=packages/ASK-2.tar.gz',
    });
  }
}

/**
 * Hash each override's file and check it may stand in for its source: the name is a source of the manifest, the
 * source is in the lock (the manifest says what it is; the override says which file this build reads), and no
 * `sha256:` pin in the manifest forbids another file. `cwd` resolves relative paths (the user's current folder).
 */
export async function resolveOverrides(m: Manifest, lock: Lock, requests: readonly OverrideRequest[], cwd: string): Promise<SourceOverride[]> {
  const out: SourceOverride[] = [];
  for (const r of requests) {
    const i = m.sources.findIndex((s) => s.name === r.name);
    const s = m.sources[i];
    if (!s) {
      const near = nearest(r.name, m.sources.map((x) => x.name));
      return usage({
        code: 'usage.unknown-source', message: `--source names no source of the manifest: ${JSON.stringify(r.name)}`, value: r.name, where: { file: m.file },
        hint: near.length ? `did you mean ${near.join(', ')}?` : `known sources: ${m.sources.map((x) => x.name).join(', ')}`,
      });
    }
    const locked = lock.sources[r.name];
    if (!locked) {
      return fail({
        code: 'verify.not-locked', message: `source "${r.name}" is not in tarsmith.lock`, exit: ExitCode.checkFailed, where: whereOf(m, `/sources/${i}`),
        hint: 'run `tarsmith vendor` first: the lock says what the source is, --source only which file one build reads',
      });
    }
    const abs = path.resolve(cwd, r.path);
    await checkFile(m, r, abs);
    const [h] = await hashFilesMemo([abs]);
    if (!h || !h.ok) return fail({ code: 'verify.override-missing', message: `source "${r.name}": cannot read ${r.path} (${h && !h.ok ? h.message : 'no result'})`, value: r.path, exit: ExitCode.checkFailed });
    if (s.sha256 !== undefined && s.sha256 !== h.sha256) {
      fail({
        code: 'verify.override-pinned',
        message: `source "${r.name}" is pinned to one file (sha256 ${s.sha256}); the override ${r.path} has sha256 ${h.sha256}`,
        value: r.path, exit: ExitCode.checkFailed, where: whereOf(m, `/sources/${i}/sha256`),
        hint: 'a pin means exactly that file: drop sources[].sha256 to allow overrides, or vendor the new file (`tarsmith vendor --update NAME`)',
      });
    }
    // Its contents are identified by the canonical tree the build makes from it (read once, through the policy).
    out.push({ name: r.name, file: relativeName(m, abs), abs, sha256: h.sha256, size: h.size, locked: { file: locked.file, sha256: locked.sha256, treeHash: locked.treeHash } });
  }
  return out;
}

/**
 * The lock as this one build sees it: each overridden source's entry points at the override's file and sha256.
 * Its `treeHash` is left empty (the file is not read twice: the canonical tree the build makes identifies it).
 */
export function effectiveLock(lock: Lock, overrides: readonly SourceOverride[]): Lock {
  if (overrides.length === 0) return lock;
  const sources: Record<string, LockedSource> = { ...lock.sources };
  for (const o of overrides) {
    const l = lock.sources[o.name] as LockedSource;
    // Under packages/ the build stage sees it at its own name; from elsewhere, by absolute path (see packageFileOf).
    sources[o.name] = { ...l, file: o.file.startsWith('packages/') ? o.file : o.abs, sha256: o.sha256, size: o.size, treeHash: '' };
  }
  return { ...lock, sources };
}

/** The warning every overridden build prints: what it reads instead of what, and that the lock is unchanged. */
export function overrideWarnings(overrides: readonly SourceOverride[]): Failure[] {
  return overrides.map((o) => ({
    code: 'verify.source-overridden',
    severity: 'warning' as const,
    exit: ExitCode.ok,
    message: `source "${o.name}" is built from ${o.file} (sha256 ${o.sha256}), not the locked ${o.locked.file} (sha256 ${o.locked.sha256})`,
    details: [o.sha256 === o.locked.sha256 ? 'same bytes as the locked file' : 'tarsmith.lock is unchanged; the build record names the override'],
    hint: 'to make it the source for every build, point the manifest at it and run `tarsmith vendor`',
  }));
}
