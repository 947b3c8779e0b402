/** Archive failures: one constructor per code so that messages and hints stay consistent. */
import { ExitCode, type Failure } from '../core/errors.js';

export type ArchiveFailureCode =
  | 'archive.absolute-path'
  | 'archive.path-traversal'
  | 'archive.link-escape'
  | 'archive.through-symlink'
  | 'archive.special-file'
  | 'archive.too-deep'
  | 'archive.overwrite-non-file'
  | 'archive.bad-path'
  | 'archive.type-change'
  | 'archive.name-too-long'
  | 'archive.sparse-file'
  | 'archive.unsupported-member';

const HINTS: Record<ArchiveFailureCode, string> = {
  'archive.absolute-path': 'the archive is unsafe; rebuild it with relative member names',
  'archive.path-traversal': 'the archive is unsafe; members must not contain ".." components',
  'archive.link-escape': 'the archive is unsafe; link targets must stay inside the extracted tree (a source that needs absolute symlinks says `allow: [absolute-symlinks]`)',
  'archive.through-symlink': 'the archive is unsafe; a member may not be written through a symlink it created',
  'archive.special-file': 'device nodes, fifos and sockets are not extracted; remove them from the archive',
  'archive.too-deep': 'raise the depth limit (maxDepth) if this nesting is intended',
  'archive.overwrite-non-file': 'the archive holds two different kinds of member at one path; fix the archive',
  'archive.bad-path': 'member names must be non-empty and must not contain NUL bytes',
  'archive.type-change': 'the archive holds two different kinds of member at one name; fix the archive',
  'archive.name-too-long': 'names are limited to 255 bytes per component and 4095 bytes in all; fix the archive',
  'archive.sparse-file': 'sparse files are not restored; repack the archive without --sparse (GNU tar: tar -c without -S)',
  'archive.unsupported-member': 'the member uses a tar extension tarsmith does not read (GNU sparse, volume or multi-volume headers); repack the archive with tar --format=pax',
};

/** A refusal of one member of `archive`. */
export function memberFailure(archive: string, code: ArchiveFailureCode, member: string, why: string): Failure {
  return {
    code,
    message: `refusing member of ${archive}: ${why}`,
    exit: ExitCode.usage,
    where: { file: archive },
    value: member,
    hint: HINTS[code],
  };
}

export function unknownFormat(file: string, head: Buffer): Failure {
  return {
    code: 'archive.unknown-format',
    message: `${file} is not a tar archive (plain, gzip, bzip2, xz or zstd)`,
    exit: ExitCode.usage,
    where: { file },
    value: head.subarray(0, 8).toString('hex'),
    hint: 'give a .tar, .tar.gz, .tar.bz2, .tar.xz or .tar.zst file',
  };
}

/** Map a decoder or tar-parser error to `archive.truncated` / `archive.corrupt`. */
export function streamFailure(file: string, err: unknown, stage: string): Failure {
  const msg = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : '';
  const code = String((err as NodeJS.ErrnoException | undefined)?.code ?? '');
  const truncated =
    code === 'Z_BUF_ERROR' ||
    name === 'LZMA_BUF_ERROR' ||
    /unexpected end|ended prematurely|unexpected eof|end of (input|file|data)/i.test(msg);
  return truncated
    ? {
        code: 'archive.truncated',
        message: `${file} is truncated (${stage}: ${msg})`,
        exit: ExitCode.usage,
        where: { file },
        hint: 'the file is incomplete; download or copy it again',
      }
    : {
        code: 'archive.corrupt',
        message: `${file} is corrupt (${stage}: ${msg})`,
        exit: ExitCode.usage,
        where: { file },
        hint: 'the file is damaged or not what its name says; download or copy it again',
      };
}
