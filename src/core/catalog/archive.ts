/** Codes of the archive reader, the safe extractor and the deterministic packer. */
import { defineArea } from './types.js';

export const archive = defineArea('archive', 'reading, extracting and packing tarballs (verify, build, normalize, kconfig, audit)', {
  'archive.absolute-path': { exit: 'usage', severity: 'error', hint: 'the archive is unsafe; rebuild it with relative member names' },
  'archive.path-traversal': { exit: 'usage', severity: 'error', hint: 'the archive is unsafe; members must not contain ".." components' },
  'archive.link-escape': { exit: 'usage', severity: 'error', hint: 'the archive is unsafe; link targets must stay inside the extracted tree (a source that needs absolute symlinks says `allow: [absolute-symlinks]`)' },
  'archive.through-symlink': { exit: 'usage', severity: 'error', hint: 'the archive is unsafe; a member may not be written through a symlink it created' },
  'archive.special-file': { exit: 'usage', severity: 'error', hint: 'device nodes, fifos and sockets are not extracted; remove them from the archive' },
  'archive.too-deep': { exit: 'usage', severity: 'error', hint: 'raise the depth limit (maxDepth) if this nesting is intended' },
  'archive.type-change': { exit: 'usage', severity: 'error', hint: 'the archive holds two different kinds of member at one name; fix the archive' },
  'archive.name-too-long': { exit: 'usage', severity: 'error', hint: 'names are limited to 255 bytes per component and 4095 bytes in all; fix the archive' },
  'archive.sparse-file': { exit: 'usage', severity: 'error', hint: 'the sparse map is broken (out of order, past the real size, data shorter or longer than the map, records missing); repack the file with GNU tar, with or without --sparse' },
  'archive.unsupported-member': { exit: 'usage', severity: 'error', hint: 'the member uses a tar extension tarsmith does not read (volume or multi-volume headers, GNU dumpdirs); repack the archive with tar --format=pax' },
  'archive.bad-path': { exit: 'usage', severity: 'error', hint: 'member names must be non-empty and must not contain NUL bytes' },
  'archive.unknown-format': { exit: 'usage', severity: 'error', hint: 'give a .tar, .tar.gz, .tar.bz2, .tar.xz or .tar.zst file' },
  'archive.truncated': { exit: 'usage', severity: 'error', hint: 'the file is incomplete; download or copy it again' },
  'archive.corrupt': { exit: 'usage', severity: 'error', hint: 'the file is damaged or not what its name says; download or copy it again' },
  'archive.dest-not-empty': { exit: 'usage', severity: 'error', hint: 'extract into a new or empty folder' },
  'archive.unsupported-output': { exit: 'usage', severity: 'error', hint: 'use --format tar.gz, tar.xz, tar.zst or tar' },
  'archive.spill-short': { exit: 'io', severity: 'error', hint: 'something changed or cut the temporary file while it was read; check the disk, then run again' },
});
