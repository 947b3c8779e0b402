/** Source positions of YAML nodes, keyed by JSON pointer, so that every diagnostic can say file:line:col. */
import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import type { ManifestPos } from './types.js';

export interface PositionIndex {
  /** Position of the value at a pointer. */
  values: Record<string, ManifestPos>;
  /** Position of the key whose value is at a pointer (maps only). */
  keys: Record<string, ManifestPos>;
}

export function escapePointer(seg: string): string {
  return seg.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointerOf(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${escapePointer(String(s))}`).join('');
}

export function indexPositions(root: Node | null | undefined, lc: LineCounter): PositionIndex {
  const index: PositionIndex = { values: {}, keys: {} };
  const pos = (n: Node | null | undefined): ManifestPos | undefined => {
    const offset = n?.range?.[0];
    return offset === undefined ? undefined : lc.linePos(offset);
  };
  const walk = (n: unknown, ptr: string): void => {
    const p = pos(n as Node);
    if (p) index.values[ptr] = p;
    if (isMap(n)) {
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = `${ptr}/${escapePointer(key)}`;
        const kp = pos(pair.key as Node);
        if (kp) index.keys[child] = kp;
        walk(pair.value, child);
        if (!index.values[child] && kp) index.values[child] = kp;
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, `${ptr}/${i}`));
    }
  };
  walk(root, '');
  return index;
}

/** The nearest known position for a pointer: itself, else its closest ancestor. */
export function positionFor(index: PositionIndex, pointer: string, preferKey = false): ManifestPos | undefined {
  let p = pointer;
  for (;;) {
    const hit = (preferKey ? index.keys[p] : undefined) ?? index.values[p] ?? index.keys[p];
    if (hit) return hit;
    if (p === '') return undefined;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}
