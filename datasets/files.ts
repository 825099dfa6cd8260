/** File access shared by the loaders: every failure becomes a DatasetError naming the file. */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from '../core/errors.ts';

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot read: ${e instanceof Error ? e.message : String(e)}`;
}

export function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new DatasetError(file, describe(e));
  }
}

/** The first `n` bytes (fewer if the file is shorter), without reading the rest. */
export function readHead(file: string, n: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new DatasetError(file, describe(e));
  }
  try {
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, buf, got, n - got, got);
      if (r === 0) break;
      got += r;
    }
    return buf.subarray(0, got);
  } catch (e) {
    throw new DatasetError(file, describe(e));
  } finally {
    closeSync(fd);
  }
}

export function fileSize(file: string): number {
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new DatasetError(file, 'is a directory, expected a file');
    return st.size;
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(file, describe(e));
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a file, transparently gunzipping it when it starts with the gzip magic (so `foo.gz` and a
 * gzipped file without the suffix both work). A damaged or cut-off archive is a DatasetError.
 */
export function readMaybeGzip(file: string): Buffer {
  const raw = readBytes(file);
  if (!isGzip(raw)) {
    if (file.endsWith('.gz')) throw new DatasetError(file, 'name ends in .gz but the file is not gzip data (wrong magic number)');
    return raw;
  }
  try {
    return gunzipSync(raw);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const truncated = /unexpected end/i.test(msg);
    throw new DatasetError(file, truncated ? 'truncated gzip data (unexpected end of file)' : `corrupt gzip data: ${msg}`);
  }
}
