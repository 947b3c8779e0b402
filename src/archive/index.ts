/** The archive layer: formats, streaming reads, tree hash, safe extraction, deterministic normalize. */
export type {
  ArchiveEntry,
  ArchiveFormat,
  EntryType,
  ExtractOptions,
  ExtractReport,
  NormalizeOptions,
  NormalizeResult,
} from './types.js';
export { ARCHIVE_FORMATS } from './types.js';
export { detectFormat } from './detect.js';
export { readEntries } from './read.js';
export { treeHash } from './tree-hash.js';
export { safeExtract } from './safe-extract.js';
export { normalize } from './normalize.js';
export { canonicalTree, treeKey, CANONICAL_VERSION, type CanonicalTree, type TreeRequest } from './canonical.js';
export { ALLOW_CLASSES, type AllowClass } from './policy.js';
