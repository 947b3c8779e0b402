/** Rendering of Kconfig and fragment diagnostics: `file:line: severity[code]: message`, then value and fix. */
import { formatLocation, type Failure } from '../core/errors.js';

export function renderDiagnostic(d: Failure & { severity: 'error' | 'warning' | 'info' }): string {
  const prefix = d.where ? `${formatLocation(d.where)}: ` : '';
  const lines = [`${prefix}${d.severity}[${d.code}]: ${d.message}`];
  if (d.value !== undefined) lines.push(`  value: ${JSON.stringify(d.value)}`);
  for (const x of d.details ?? []) lines.push(`  ${x}`);
  if (d.hint) lines.push(`  fix: ${d.hint}`);
  return lines.join('\n');
}
