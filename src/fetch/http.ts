/**
 * Downloads with node http/https (and file:// for local mirrors): streamed into a temp file beside the final name,
 * hashed while streaming, redirects followed (bounded), an idle timeout, retries with backoff on transient errors.
 * The caller renames the temp file into place only once the hash is known to be right.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { createReadStream, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { ExitCode, TarsmithError, type Failure, type FailureCode } from '../core/errors.js';
import { tempSibling } from '../core/fs-atomic.js';
import { streamHasher, type FileHash } from '../lock/hash.js';
import { startProgress } from './progress.js';

export interface DownloadOptions {
  /** Final path the caller will rename to; the temp file is created beside it. */
  target: string;
  label: string;
  timeoutMs?: number;
  retries?: number;
  maxRedirects?: number;
}

export interface Downloaded extends FileHash {
  tmp: string;
  /** The URL that answered, after redirects. */
  finalUrl: string;
}

/** A failed attempt; `retry` says whether trying the same URL again may help. */
class AttemptError extends Error {
  constructor(
    readonly failure: Failure,
    readonly retry: boolean,
  ) {
    super(failure.message);
  }
}

/** Idle timeout (no byte for this long): 30 s, or TARSMITH_HTTP_TIMEOUT_MS. */
const defaultTimeoutMs = (): number => envNumber('TARSMITH_HTTP_TIMEOUT_MS', 30_000);

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(v) && v >= 0 ? v : fallback;
}

function netFailure(code: FailureCode, url: string, message: string, hint: string): Failure {
  return { code, message, exit: ExitCode.io, value: url, hint };
}

/** The response, and whether the idle timeout ended it (a body that stalls mid-way ends as "aborted"). */
interface Opened {
  res: http.IncomingMessage;
  timedOut(): boolean;
}

function openHttp(url: URL, timeoutMs: number): Promise<Opened> {
  const mod = url.protocol === 'https:' ? https : http;
  let timedOut = false;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers: { 'user-agent': 'tarsmith', accept: '*/*' } }, (res) => resolve({ res, timedOut: () => timedOut }));
    req.setTimeout(timeoutMs, () => {
      timedOut = true;
      req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const timedOut = e.code === 'ETIMEDOUT';
      reject(
        new AttemptError(
          netFailure(
            timedOut ? 'vendor.timeout' : 'vendor.unreachable',
            url.href,
            timedOut ? `no answer within ${timeoutMs} ms` : `cannot reach ${url.host}: ${e.code ?? e.message}`,
            'check the URL and the network, or add a mirror that has the file',
          ),
          true,
        ),
      );
    });
  });
}

/** Follow redirects until a 200 response; returns the body stream and its declared length. */
async function openUrl(
  start: string,
  timeoutMs: number,
  maxRedirects: number,
): Promise<{ body: Readable; length?: number; finalUrl: string; timedOut(): boolean }> {
  let url = new URL(start);
  for (let hop = 0; ; hop++) {
    if (url.protocol === 'file:' && hop === 0) return openFileUrl(url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AttemptError(
        netFailure('vendor.unsupported-url', url.href, `unsupported URL scheme ${url.protocol}${hop > 0 ? ' in a redirect' : ''}`, 'use http, https or (for mirrors) file'),
        false,
      );
    }
    const { res, timedOut } = await openHttp(url, timeoutMs);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location) {
      res.resume();
      if (hop >= maxRedirects) {
        throw new AttemptError(
          netFailure('vendor.too-many-redirects', start, `more than ${maxRedirects} redirects`, 'point the manifest at the final URL'),
          false,
        );
      }
      url = new URL(location, url);
      continue;
    }
    if (status !== 200) {
      res.resume();
      const transient = status >= 500 || status === 408 || status === 429;
      throw new AttemptError(
        netFailure('vendor.http-status', url.href, `HTTP ${status} from ${url.host}`, 'check the URL; if it moved, update `url:` in the manifest'),
        transient,
      );
    }
    const len = res.headers['content-length'];
    return { body: res, ...(len !== undefined ? { length: Number(len) } : {}), finalUrl: url.href, timedOut };
  }
}

async function openFileUrl(url: URL): Promise<{ body: Readable; length?: number; finalUrl: string; timedOut(): boolean }> {
  const p = fileURLToPath(url);
  try {
    const st = await fs.stat(p);
    return { body: createReadStream(p, { highWaterMark: 1 << 20 }), length: st.size, finalUrl: url.href, timedOut: () => false };
  } catch (e) {
    throw new AttemptError(
      netFailure('vendor.http-status', url.href, `not found: ${(e as NodeJS.ErrnoException).code ?? e}`, 'check the path'),
      false,
    );
  }
}

async function attempt(url: string, tmp: string, opts: DownloadOptions): Promise<Downloaded> {
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs();
  const { body, length, finalUrl, timedOut } = await openUrl(url, timeoutMs, opts.maxRedirects ?? 5);
  const hasher = streamHasher();
  const progress = startProgress(opts.label, length);
  const fh = await fs.open(tmp, 'w', 0o644);
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hasher.update(chunk);
      progress.update(chunk.length);
      await fh.write(chunk);
    }
    await fh.sync();
  } catch (e) {
    progress.abort();
    body.destroy();
    const got = hasher.digest().size;
    throw new AttemptError(
      timedOut()
        ? netFailure('vendor.timeout', finalUrl, `the download stalled: no data for ${timeoutMs} ms after ${got}${length !== undefined ? ` of ${length}` : ''} bytes`, 'try again; if it keeps stalling, add a mirror (TARSMITH_HTTP_TIMEOUT_MS sets the idle timeout)')
        : netFailure('vendor.truncated', finalUrl, `the transfer stopped early: ${(e as Error).message}`, 'try again; if it keeps failing, add a mirror'),
      true,
    );
  } finally {
    await fh.close();
  }
  const got = hasher.digest();
  if (length !== undefined && got.size !== length) {
    progress.abort();
    throw new AttemptError(
      netFailure('vendor.truncated', finalUrl, `got ${got.size} of ${length} bytes`, 'try again; if it keeps failing, add a mirror'),
      true,
    );
  }
  progress.done(`fetched ${opts.label} (${got.size} bytes)`);
  return { ...got, tmp, finalUrl };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Download `url` into a temp file beside `opts.target`. Throws a TarsmithError (exit 3) after the retries are spent;
 * no temp file is left behind on failure.
 */
export async function download(url: string, opts: DownloadOptions): Promise<Downloaded> {
  const retries = opts.retries ?? envNumber('TARSMITH_HTTP_RETRIES', 3);
  await fs.mkdir(path.dirname(opts.target), { recursive: true });
  const tmp = tempSibling(opts.target, 'download');
  for (let i = 0; ; i++) {
    try {
      return await attempt(url, tmp, opts);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      if (!(e instanceof AttemptError)) throw e;
      if (!e.retry || i >= retries) throw new TarsmithError(e.failure);
      await sleep(250 * 2 ** i);
    }
  }
}
