/**
 * Downloads one file into a cache, all or nothing: the body is streamed into a temporary file in
 * the destination's directory while its sha256 is computed; only when the transfer completed (the
 * byte count matches Content-Length when the server sent one), the checksum matches and the
 * caller's content check passes is it renamed over the destination (an atomic rename on one file
 * system). Any failure — refused connection, HTTP error, cut-off transfer, wrong checksum, bad
 * content, Ctrl-C — removes the temporary file, so the cache never holds half a file and an
 * existing good copy is never replaced by a bad one. Every failure is a DatasetError naming the URL.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { DatasetError, NasError } from '../core/errors.ts';
import type { ProgressFn } from '../core/progress.ts';

export interface DownloadOptions {
  readonly url: string;
  readonly dest: string;
  /** Expected sha256 of the whole file, 64 hex digits. */
  readonly sha256: string;
  /** Checks the downloaded file (at a temporary path) before it is moved into place; throw to refuse it. */
  readonly check?: (path: string) => void | Promise<void>;
  readonly onProgress?: ProgressFn;
  readonly signal?: AbortSignal;
}

export interface DownloadResult {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

function reason(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err?.cause?.code ?? err?.cause?.message;
  return `${err?.message ?? String(e)}${cause && !String(err?.message).includes(cause) ? ` (${cause})` : ''}`;
}

export async function downloadVerified(opts: DownloadOptions): Promise<DownloadResult> {
  const { url, dest } = opts;
  const expected = opts.sha256.toLowerCase();
  if (!SHA256_HEX.test(expected)) throw new DatasetError(url, `expected checksum must be 64 hex digits (got "${opts.sha256}")`);
  const dir = dirname(dest);
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new DatasetError(dest, `cannot create the cache directory ${dir}: ${reason(e)}`);
  }
  const tmpDir = await mkdtemp(join(dir, `.${basename(dest)}.download-`)).catch((e: unknown) => {
    throw new DatasetError(dest, `cannot write into ${dir}: ${reason(e)}`);
  });
  const tmp = join(tmpDir, basename(dest));
  try {
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'follow', ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (e) {
      throw new DatasetError(url, `download failed: ${reason(e)}`);
    }
    if (!res.ok || !res.body) throw new DatasetError(url, `download failed: HTTP ${res.status} ${res.statusText}`.trimEnd());
    const lengthHeader = res.headers.get('content-length');
    const length = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        opts.onProgress?.({ phase: 'download', done: bytes, total: length ?? bytes, fields: { MB: bytes / 1e6 } });
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), meter, createWriteStream(tmp, { flags: 'wx' }));
    } catch (e) {
      throw new DatasetError(url, `download interrupted after ${bytes}${length !== null ? ` of ${length}` : ''} bytes: ${reason(e)}; nothing was cached`);
    }
    if (length !== null && bytes !== length) throw new DatasetError(url, `download incomplete: ${bytes} of ${length} bytes; nothing was cached`);
    const got = hash.digest('hex');
    if (got !== expected) {
      throw new DatasetError(url, `checksum mismatch: sha256 ${got}, expected ${expected} (${bytes} bytes); nothing was cached`);
    }
    try {
      await opts.check?.(tmp);
    } catch (e) {
      const what = e instanceof NasError ? e.message : reason(e);
      throw new DatasetError(url, `downloaded file refused: ${what}; nothing was cached`);
    }
    await rename(tmp, dest).catch((e: unknown) => {
      throw new DatasetError(dest, `cannot move the download into place: ${reason(e)}`);
    });
    return { path: dest, bytes, sha256: got };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}
