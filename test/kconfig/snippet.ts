/** Test helper: parse in-memory Kconfig files (no disk, no toolchain unless `shell` is given). */
import type { KconfigTree } from '../../src/kconfig/ast.js';
import { parseTree } from '../../src/kconfig/parse-tree.js';
import { MapFiles } from '../../src/kconfig/source-files.js';

export function parseSnippet(
  files: Record<string, string> | string,
  opts: { env?: Record<string, string>; shell?: (cmd: string) => string | undefined } = {},
): KconfigTree {
  const map = typeof files === 'string' ? { Kconfig: files } : files;
  return parseTree({
    files: new MapFiles('memory', new Map(Object.entries(map))),
    arch: 'x86_64',
    srcarch: 'x86',
    env: new Map(Object.entries({ srctree: '.', ARCH: 'x86_64', SRCARCH: 'x86', ...opts.env })),
    shell: opts.shell ?? (() => undefined),
  }).tree;
}

export function errorsOf(tree: KconfigTree): string[] {
  return tree.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.where.file}:${d.where.line} ${d.message}`);
}
