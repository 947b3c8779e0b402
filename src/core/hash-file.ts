/** sha256 of a file on the calling thread, read in 1 MiB blocks (memory does not grow with the file). Throws I/O errors. */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'r');
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(1 << 20);
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: h.digest('hex'), size };
  } finally {
    await fh?.close();
  }
}
