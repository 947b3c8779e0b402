/** Archive failures: one constructor per code so that messages stay consistent; codes and hints are in src/core/catalog/archive.ts. */
import { catalogEntry, ExitCode, type Failure } from '../core/errors.js';

export type ArchiveFailureCode =
  | 'archive.absolute-path'
  | 'archive.path-traversal'
  | 'archive.link-escape'
  | 'archive.through-symlink'
  | 'archive.special-file'
  | 'archive.too-deep'
  | 'archive.bad-path'
  | 'archive.type-change'
  | 'archive.name-too-long'
  | 'archive.sparse-file'
  | 'archive.unsupported-member';

/** A refusal of one member of `archive`. */
export function memberFailure(archive: string, code: ArchiveFailureCode, member: string, why: string): Failure {
  return {
    code,
    message: `refusing member of ${archive}: ${why}`,
    exit: ExitCode.usage,
    where: { file: archive },
    value: member,
    hint: catalogEntry(code).hint,
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
