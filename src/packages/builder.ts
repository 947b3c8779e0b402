/**
 * `builder.packages` for the builder's family: with `family: apk` the list may be written with Debian names
 * (or Alpine ones the table knows) and is translated through the curated table in src/packages/; with
 * `family: apt` it is used as written. A name Alpine lacks, or a foreign-architecture qualifier, is a manifest
 * error pointing at the entry, raised before anything is built.
 */
import { ExitCode, fail, type Failure } from '../core/errors.js';
import type { Builder, Manifest } from '../manifest/types.js';
import { mapToAlpine } from './map.js';
import { pushUnique, type Finding } from './types.js';

export interface BuilderPackages {
  /** The names the package manager installs, in the order written (apk: without duplicates). */
  packages: string[];
  /** Notes on the translation that do not stop the build (unmapped names kept, pins dropped, mappings to review). */
  notes: Finding[];
}

export function builderPackages(m: Manifest, builder: Builder): BuilderPackages {
  if (builder.family === 'apt') return { packages: [...builder.packages], notes: [] };
  const packages: string[] = [];
  const notes: Finding[] = [];
  const errors: Failure[] = [];
  builder.packages.forEach((spec, i) => {
    const where = { file: m.file, ...(m.positions[`/builder/packages/${i}`] ?? {}) };
    const r = mapToAlpine(spec, where);
    pushUnique(packages, ...r.alpine);
    for (const f of r.findings) {
      if (f.severity === 'error') errors.push(asFailure(f, i));
      else notes.push(f);
    }
  });
  if (errors.length > 0) fail(errors);
  return { packages, notes };
}

function asFailure(f: Finding, i: number): Failure {
  return {
    code: f.code,
    message: `builder.packages[${i}]: ${f.message}`,
    exit: ExitCode.usage,
    ...(f.where ? { where: f.where } : {}),
    ...(f.value !== undefined ? { value: f.value } : {}),
    ...(f.hint !== undefined ? { hint: f.hint } : {}),
  };
}
