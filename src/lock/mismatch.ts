/**
 * Hash mismatches: one failure that says which file, expected and actual sha256, where the bytes came from,
 * whether the extracted tree is still the same, and the exact line to write if the change is intended.
 * The bad file is moved aside to `packages/.rejected/<name>.<sha-prefix>`, never deleted, never left in place.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, renderDiagnostic, type Failure } from '../core/errors.js';
import type { Manifest } from '../manifest/types.js';
import { LOCK_FILE, PACKAGES_DIR } from './lock.js';

export const REJECTED_DIR = '.rejected';

export interface MismatchInfo {
  /** e.g. `source "zlib"`. */
  label: string;
  /** Relative to the manifest folder. */
  file: string;
  expected: string;
  actual: string;
  /** Where the bytes came from: a URL, `cache`, a local path. */
  origin: string;
  /** Whether the extracted contents match the locked tree hash; undefined when it could not be told. */
  treeSame?: boolean;
  /** The line to write if the new file is intended. */
  fix: string;
  /** Where the bad file was moved, relative to the manifest folder. */
  movedTo?: string;
}

export function mismatchFailure(i: MismatchInfo): Failure {
  const tree =
    i.treeSame === undefined
      ? 'tree hash: not compared'
      : i.treeSame
        ? 'tree hash: same tree, different compression (the extracted contents are identical)'
        : 'tree hash: the extracted contents differ too';
  return {
    code: 'verify.hash-mismatch',
    message: `sha256 mismatch for ${i.label}: ${i.file}`,
    exit: ExitCode.checkFailed,
    value: i.file,
    details: [
      `expected: ${i.expected}`,
      `actual:   ${i.actual}`,
      `origin:   ${i.origin}`,
      tree,
      ...(i.movedTo ? [`moved aside to ${i.movedTo}`] : []),
    ],
    hint: `if the change is intended, use: ${i.fix}`,
  };
}

/** A failure shown as a warning (same layout, `warning[code]`). */
export function renderWarning(f: Failure): string {
  return renderDiagnostic({ ...f, severity: 'warning' });
}

function display(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

/** The line to write when a source's new hash is intended: the manifest pin if there is one, else the lock entry. */
export function sourceFixLine(manifest: Manifest, name: string, actual: string): string {
  const i = manifest.sources.findIndex((s) => s.name === name);
  const src = manifest.sources[i];
  if (src?.sha256 !== undefined) {
    const p = manifest.positions[`/sources/${i}/sha256`];
    const where = p ? `${display(manifest.file)}:${p.line}:${p.col}` : display(manifest.file);
    return `${where}  sha256: ${actual}`;
  }
  return `${LOCK_FILE}  sources."${name}".sha256: "${actual}"  (or run \`tarsmith vendor --update ${name}\`)`;
}

/** Move `abs` (a file under the manifest folder) to `packages/.rejected/<base>.<sha12>`; returns the new relative path. */
export async function rejectFile(manifestDir: string, abs: string, baseName: string, sha256: string): Promise<string> {
  const dir = path.join(manifestDir, PACKAGES_DIR, REJECTED_DIR);
  await fs.mkdir(dir, { recursive: true });
  const dest = path.join(dir, `${baseName}.${sha256.slice(0, 12)}`);
  await fs.rename(abs, dest);
  return path.relative(manifestDir, dest).split(path.sep).join('/');
}
