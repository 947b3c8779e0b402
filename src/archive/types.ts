/** Public types of the archive layer. */
import type { AllowClass } from './policy.js';

/** Formats recognised by their magic bytes (never by file name). */
export type ArchiveFormat = 'tar' | 'tar.gz' | 'tar.bz2' | 'tar.xz' | 'tar.zst';

export const ARCHIVE_FORMATS: readonly ArchiveFormat[] = ['tar', 'tar.gz', 'tar.bz2', 'tar.xz', 'tar.zst'];

export type EntryType = 'file' | 'directory' | 'symlink' | 'link' | 'other';

/**
 * One member of an archive, as `readEntries` yields it. `body` is set for regular files only and must be read
 * (or left alone) before asking for the next entry: moving on skips whatever was not read, and a body cannot be
 * read after that.
 */
export interface ArchiveEntry {
  /** The path as stored (pax/GNU long names applied), not yet checked or normalised. */
  path: string;
  /** The path's bytes, set only when they are not valid UTF-8 (`path` is then a lossy reading of them: two such
   * names may read the same). */
  pathBytes?: Buffer;
  type: EntryType;
  /** Permission bits as stored (`0o7777` mask). */
  mode: number;
  size: number;
  /** Symlink target, or the member a hardlink points to. */
  linkname?: string;
  /** The target's bytes, set only when they are not valid UTF-8. */
  linknameBytes?: Buffer;
  /** Seconds since the epoch. */
  mtime?: number;
  /** For type 'other': the tar type (`character-device`, `block-device`, `fifo`, ...; `unknown` for a type flag
   * tarsmith does not read, such as a volume header). */
  rawType?: string;
  /** A GNU sparse file whose sparse records are missing or inconsistent: `body` is its stored data, not the
   * file's bytes. (Readable sparse files, in every GNU form, are restored: such an entry has its real name, size
   * and bytes.) */
  sparse?: boolean;
  /** File contents. */
  body: AsyncIterable<Buffer> | undefined;
}

export interface ExtractOptions {
  /** Leading path components removed from every member (and hardlink target); shorter members are skipped. */
  strip?: number;
  /** Drop `.git`, `.hg`, `.svn`, `.bzr` at any depth (default true). */
  dropVcs?: boolean;
  /** Maximum number of path components after `strip` (default 128). */
  maxDepth?: number;
  /** Classes of member the policy would refuse that this input may hold (see policy.ts). */
  allow?: readonly AllowClass[];
}

export interface ExtractReport {
  /** The destination folder, absolute. */
  dest: string;
  format: ArchiveFormat;
  files: number;
  directories: number;
  symlinks: number;
  hardlinks: number;
  /** Bytes of file contents written. */
  bytes: number;
  /** Members left out because they had no components left after `strip`. */
  skippedByStrip: number;
  /** Members left out because they are inside a VCS folder. */
  skippedVcs: number;
}

export interface NormalizeOptions {
  format: ArchiveFormat;
  /** Leading path components removed from every member (and hardlink target); shorter members are skipped. */
  strip?: number;
  /** Classes of member the policy would refuse that this input may hold (see policy.ts). */
  allow?: readonly AllowClass[];
  /** mtimes later than this are clamped to it; earlier ones are kept. Seconds since the epoch. */
  sourceDateEpoch: number;
  /** Drop `.git`, `.hg`, `.svn`, `.bzr` at any depth (default true). */
  dropVcs?: boolean;
}

export interface NormalizeResult {
  /** sha256 (hex) of the output file. */
  sha256: string;
  /** Size of the output file in bytes. */
  size: number;
  /** 'stream': the input was already in order and went through in one pass; 'spill': bodies were spilled to disk. */
  method?: 'stream' | 'spill';
}
