/** Text rendering of an `audit fetch` report (stdout), one block per fetch, then the `sources:` snippet. */
import { renderDiagnostic } from '../../core/errors.js';
import { markUnresolved, type Fetch, type FetchReport, type Resolved } from './types.js';

/** A value, its unresolved pieces marked `<…>` and their reasons after it: never printed as if it were final. */
function show(r: Resolved | undefined): string {
  if (!r) return '-';
  return r.unresolved.length === 0 ? r.text : `${markUnresolved(r.text, r.unresolved, r.spans)}  (unresolved: ${r.unresolved.join('; ')})`;
}

function status(f: Fetch): string {
  if (!f.needsSource) {
    return f.tool === '.gitmodules' ? 'nothing to fetch' : 'answered by the stand-ins from an earlier vendored clone';
  }
  if (f.kind === 'unsupported') return 'unsupported, vendor by hand';
  if (f.coveredBy === undefined) return '';
  return f.coveredBy === null ? 'NOT COVERED by the manifest' : `covered by source ${f.coveredBy}`;
}

export function renderFetchReport(report: FetchReport): string {
  const lines: string[] = [];
  for (const f of report.fetches) {
    lines.push(`${f.file}:${f.line}: ${f.tool}${f.context ? ` (${f.context})` : ''}`);
    if (f.url || f.needsSource) lines.push(`  url: ${show(f.url)}`);
    if (f.ref) lines.push(`  ref: ${show(f.ref)}`);
    const command = f.commandSpans ? markUnresolved(f.command, ['?'], f.commandSpans) : f.command;
    lines.push(`  command: ${command.split('\n').join(' ')}`);
    const s = status(f);
    if (s) lines.push(`  status: ${s}`);
  }
  for (const d of report.diagnostics) lines.push(renderDiagnostic(d));
  const needing = report.fetches.filter((f) => f.needsSource).length;
  const uncovered = report.uncovered !== undefined ? `, ${report.uncovered} not covered by the manifest` : '';
  lines.push('', `${report.fetches.length} fetch(es) found, ${needing} needing a vendored source${uncovered}.`);
  if (report.snippet) lines.push('', report.uncovered !== undefined ? '# sources to add to the manifest:' : '# sources for the manifest:', report.snippet.trimEnd());
  return `${lines.join('\n')}\n`;
}
