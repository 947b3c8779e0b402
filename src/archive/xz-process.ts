/**
 * xz decoding in a child `xz -dc` (XZ Utils, Debian's xz-utils) when it is on PATH. lzma-native's prebuilt
 * addon carries liblzma 5.2.3 compiled without optimisation (its build script sets CFLAGS to `-fPIC`, which drops
 * autoconf's `-O2`), which decodes the kernel tarball in about 14 s where `xz -d` needs about 7.5 s; a child
 * process also decodes on another core while this one parses tar. The child gets an argv array, never a shell,
 * and is killed when the stream is torn down.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';
import { Duplex, type Readable, type Writable } from 'node:stream';

/** Bytes of xz's stderr kept for the error message. */
const STDERR_KEEP = 4096;

let xzPath: string | null | undefined;

/** The `xz` executable on PATH, looked up once per process; null when there is none. */
export function findXz(): string | null {
  if (xzPath !== undefined) return xzPath;
  xzPath = null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'xz');
    try {
      accessSync(candidate, constants.X_OK);
      xzPath = candidate;
      break;
    } catch {
      /* not here */
    }
  }
  return xzPath;
}

/** A Duplex: xz bytes in, tar bytes out. Fails with xz's own message (e.g. "Unexpected end of input"). */
export class XzProcessDecoder extends Duplex {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private stderr = '';
  private exited = false;

  constructor(xz: string) {
    super();
    this.child = spawn(xz, ['--decompress', '--stdout', '--threads=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => {
      /* xz stopped reading: its exit status says why */
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (s: string) => {
      if (this.stderr.length < STDERR_KEEP) this.stderr += s;
    });
    this.child.stdout.on('data', (d: Buffer) => {
      if (!this.push(d)) this.child.stdout.pause();
    });
    this.child.on('error', (e) => this.destroy(e));
    this.child.on('close', (code, signal) => {
      this.exited = true;
      if (code === 0) this.push(null);
      else if (!this.destroyed) this.destroy(new Error(this.stderr.trim().replace(/^xz: \(stdin\): /, '') || `xz exited with ${code ?? signal}`));
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.exited || this.child.stdin.destroyed) return cb();
    if (this.child.stdin.write(chunk)) cb();
    else this.child.stdin.once('drain', () => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.child.stdin.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (!this.exited) this.child.kill('SIGKILL');
    cb(err);
  }
}
