/** Text and JSON forms of a musl audit report. */
import * as path from 'node:path';
import type { MuslAuditReport } from './audit.js';
import type { MuslHit } from './scan.js';

function where(report: MuslAuditReport, h: MuslHit): string {
  const file = report.input === 'folder' ? path.join(report.path, h.file) : `${report.path}:${h.file}`;
  return `${file}:${h.line}:${h.col}`;
}

/** Findings (and, when `verbose`, the guarded constructs) as text lines, then a summary line. */
export function renderMuslText(report: MuslAuditReport, verbose: boolean): string {
  const lines: string[] = [];
  for (const h of report.findings) {
    lines.push(`${where(report, h)}: musl[${h.rule}]: ${h.construct}`);
    lines.push(`  why: ${h.why}`);
    if (h.note) lines.push(`  note: ${h.note}`);
    lines.push(`  fix: ${h.fix}`);
  }
  if (verbose) {
    for (const h of report.guarded) {
      const by = h.guard ? ` (guarded by \`${h.guard.text}\`, line ${h.guard.line})` : '';
      lines.push(`${where(report, h)}: guarded[${h.rule}]: ${h.construct}${by}`);
    }
  }
  const c = report.counts;
  lines.push(
    `${c.findings} finding${c.findings === 1 ? '' : 's'}, ${c.guarded} guarded, ${report.filesScanned} C/C++ file${report.filesScanned === 1 ? '' : 's'} scanned`,
  );
  return `${lines.join('\n')}\n`;
}

/** The one JSON document of `audit musl --json`. */
export function muslJson(report: MuslAuditReport): Record<string, unknown> {
  return {
    ok: report.findings.length === 0,
    path: report.path,
    input: report.input,
    filesScanned: report.filesScanned,
    counts: report.counts,
    findings: report.findings,
    guarded: report.guarded,
  };
}
