/**
 * Debian package names → the builder family's names, through the curated table. Used by the converter for
 * every `apt-get install` word and by the manifest (`builder.family: apk|apt` with one list of Debian names).
 */
import { unreachable, type SourceLocation } from '../core/errors.js';
import { isKnownAlpineName, lookup } from './table.js';
import { pushUnique, type Decision, type Finding, type PackageFamily } from './types.js';

export interface PackageMapping {
  /** Alpine packages to install for this Debian name (may be empty). */
  alpine: string[];
  decision: Decision;
  findings: Finding[];
}

/** `pkg:arm64` → { name: 'pkg', arch: 'arm64' }; `pkg=1.2-3` → version; `pkg/bookworm-backports` → release. */
export function splitDebianSpec(spec: string): { name: string; arch?: string; version?: string; release?: string } {
  let rest = spec;
  let version: string | undefined;
  let release: string | undefined;
  const eq = rest.indexOf('=');
  if (eq > 0) {
    version = rest.slice(eq + 1);
    rest = rest.slice(0, eq);
  }
  const slash = rest.indexOf('/');
  if (slash > 0) {
    release = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  const colon = rest.indexOf(':');
  let arch: string | undefined;
  if (colon > 0) {
    arch = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, ...(arch ? { arch } : {}), ...(version ? { version } : {}), ...(release ? { release } : {}) };
}

const PLATFORM_HINT =
  'build for the target natively: `docker buildx build --platform linux/arm64` (BuildKit + QEMU binfmt), ' +
  'or use a cross toolchain; Alpine has no multiarch (foreign-architecture) packages';

function qualifierFindings(spec: string, where: SourceLocation | undefined): Finding[] {
  const s = splitDebianSpec(spec);
  const out: Finding[] = [];
  const at = where ? { where } : {};
  if (s.version !== undefined) {
    out.push({
      code: 'convert.version-pin-dropped',
      severity: 'warning',
      message: `Debian version pin of ${s.name} dropped: Debian versions mean nothing to apk`,
      value: spec,
      hint: 'pin the Alpine release by the base image digest; use `name=VERSION` with an Alpine version if needed',
      ...at,
    });
  }
  if (s.release !== undefined) {
    out.push({
      code: 'convert.target-release-dropped',
      severity: 'warning',
      message: `Debian target release of ${s.name} dropped`,
      value: spec,
      ...at,
    });
  }
  return out;
}

/** Map one Debian package spec (as written) to Alpine. Never throws. */
export function mapToAlpine(spec: string, where?: SourceLocation): PackageMapping {
  const at = where ? { where } : {};
  const { name, arch } = splitDebianSpec(spec);
  const findings = qualifierFindings(spec, where);
  if (arch !== undefined && arch !== 'any' && arch !== 'native' && arch !== 'all') {
    findings.push({
      code: 'convert.foreign-architecture',
      severity: 'error',
      message: `${spec} asks for a foreign-architecture (${arch}) package, which apk cannot install`,
      value: spec,
      hint: PLATFORM_HINT,
      ...at,
    });
    return { alpine: [], findings, decision: { action: 'drop-package', from: spec, to: '', reason: `multiarch :${arch}`, ...at } };
  }
  const entry = lookup(name);
  if (!entry) return unmapped(spec, name, findings, where);
  switch (entry.kind) {
    case 'map': {
      const to = [...entry.alpine];
      if (entry.review) {
        findings.push({
          code: 'convert.mapping-needs-review',
          severity: 'warning',
          message: `mapping ${name} → ${to.join(' ')} needs review: ${entry.review}`,
          value: spec,
          hint: `check ${entry.source} for your Alpine release`,
          ...at,
        });
      }
      const reason = `table: ${entry.source} (${entry.repo})`;
      return { alpine: to, findings, decision: { action: 'map-package', from: spec, to: to.join(' '), reason, ...at } };
    }
    case 'drop':
      return { alpine: [], findings, decision: { action: 'drop-package', from: spec, to: '', reason: `not needed on Alpine: ${entry.reason}`, ...at } };
    case 'none':
      findings.push({
        code: entry.advice === 'platform' ? 'convert.cross-toolchain' : 'convert.no-alpine-equivalent',
        severity: 'error',
        message: `${name} has no Alpine stable equivalent: ${entry.reason}`,
        value: spec,
        hint: entry.hint,
        ...at,
      });
      return { alpine: [], findings, decision: { action: 'drop-package', from: spec, to: '', reason: `no equivalent (${entry.source})`, ...at } };
    default:
      return unreachable(entry, 'table entry');
  }
}

function unmapped(spec: string, name: string, findings: Finding[], where: SourceLocation | undefined): PackageMapping {
  const at = where ? { where } : {};
  if (isKnownAlpineName(name)) {
    return { alpine: [name], findings, decision: { action: 'keep-package', from: spec, to: name, reason: 'already an Alpine name', ...at } };
  }
  const dev = /^lib(.+?)(\d+(\.\d+)*)?-dev$/.exec(name);
  const guess = dev?.[1] ? ` (Alpine often names it ${dev[1]}-dev; look it up on pkgs.alpinelinux.org)` : '';
  findings.push({
    code: 'convert.unmapped-package',
    severity: 'warning',
    message: `${name} is not in the curated table; kept as is${guess}`,
    value: spec,
    hint: 'check the name on pkgs.alpinelinux.org (main/community of your release) and add it to the table',
    ...at,
  });
  return { alpine: [name], findings, decision: { action: 'keep-package', from: spec, to: name, reason: 'not in the table', ...at } };
}

export interface PackagesForResult {
  packages: string[];
  findings: Finding[];
  decisions: Decision[];
}

/**
 * The package list for a builder family from one list written with Debian names. `apt` keeps the names
 * as written (deduplicated); `apk` maps them through the curated table, with a finding for anything Alpine lacks.
 */
export function packagesFor(family: PackageFamily, debianNames: readonly string[]): PackagesForResult {
  const packages: string[] = [];
  const findings: Finding[] = [];
  const decisions: Decision[] = [];
  for (const spec of debianNames) {
    if (family === 'apt') {
      pushUnique(packages, spec);
      continue;
    }
    const r = mapToAlpine(spec);
    pushUnique(packages, ...r.alpine);
    findings.push(...r.findings);
    decisions.push(r.decision);
  }
  return { packages, findings, decisions };
}
