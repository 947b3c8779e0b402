/** Format detection by magic bytes, never by file name. */
import { promises as fs } from 'node:fs';
import { ExitCode, fail, ioFailure } from '../core/errors.js';
import { unknownFormat } from './failures.js';
import type { ArchiveFormat } from './types.js';

const MAGIC: ReadonlyArray<readonly [ArchiveFormat, readonly number[]]> = [
  ['tar.gz', [0x1f, 0x8b]],
  ['tar.bz2', [0x42, 0x5a, 0x68]], // "BZh"
  ['tar.xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['tar.zst', [0x28, 0xb5, 0x2f, 0xfd]],
];

/** True when `block` is a tar header: "ustar" magic, or (old v7 archives) a valid header checksum. */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512) return false;
  if (block.subarray(257, 262).toString('latin1') === 'ustar') return true;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum === parseInt(field, 8);
}

/** The format of the first bytes of an archive, or undefined. */
export function formatOfHead(head: Buffer): ArchiveFormat | undefined {
  for (const [format, magic] of MAGIC) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return format;
  }
  return isTarHeader(head) ? 'tar' : undefined;
}

export async function readHead(path: string, length = 512): Promise<Buffer> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(path, 'r');
  } catch (e) {
    fail(ioFailure(e, 'cannot open archive', path));
  }
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } catch (e) {
    fail(ioFailure(e, 'cannot read archive', path));
  } finally {
    await fh.close();
  }
}

/** Detect the format of the archive at `path` from its magic bytes. Fails with `archive.unknown-format`. */
export async function detectFormat(path: string): Promise<ArchiveFormat> {
  const head = await readHead(path);
  if (head.length === 0) {
    fail({
      code: 'archive.truncated',
      message: `${path} is empty`,
      exit: ExitCode.usage,
      where: { file: path },
      hint: 'the file is incomplete; download or copy it again',
    });
  }
  return formatOfHead(head) ?? fail(unknownFormat(path, head));
}
