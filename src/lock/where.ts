/** file:line:col of a manifest node, for failures that point into tarsmith.yaml. */
import * as path from 'node:path';
import type { SourceLocation } from '../core/errors.js';
import type { Manifest } from '../manifest/types.js';

export function whereOf(m: Manifest, pointer: string): SourceLocation {
  const file = path.relative(process.cwd(), m.file) || m.file;
  const p = m.positions[pointer];
  return p ? { file, line: p.line, col: p.col } : { file };
}
