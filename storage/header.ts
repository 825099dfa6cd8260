/**
 * What a database file is, read with plain fs before SQLite touches it (SQLite may create -wal/-shm
 * files beside whatever it opens, so everything that can be refused from the bytes is refused here).
 *
 * The 100-byte SQLite header (https://www.sqlite.org/fileformat2.html §1.3): magic string at 0, page
 * size at 16 (1 = 65536), journal mode at 18/19 (2 = WAL), file change counter at 24, database size
 * in pages at 28 (valid when the "version-valid-for" number at 92 equals the change counter),
 * user_version at 60, application_id at 68.
 */
import { open as openFile, stat } from 'node:fs/promises';
import { StorageError } from '../core/errors.ts';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export interface Header {
  readonly size: number;
  readonly userVersion: number;
  readonly applicationId: number;
  /** Bytes per page (0 for an empty file). */
  readonly pageSize: number;
  /** Pages the header says the file holds, or null when that field is not trustworthy. */
  readonly pages: number | null;
  /** The file is in WAL journal mode (readers then need -wal/-shm beside it). */
  readonly wal: boolean;
}

export const EMPTY_HEADER: Header = Object.freeze({ size: 0, userVersion: 0, applicationId: 0, pageSize: 0, pages: 0, wal: false });

/** The file's header fields (null when the file does not exist); throws StorageError for anything that is not an SQLite file. */
export async function readHeader(path: string): Promise<Header | null> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR') throw new StorageError(path, 'a component of the path is not a directory');
    throw new StorageError(path, `cannot access the database file: ${(e as Error).message}`, {}, { cause: e });
  }
  if (st.isDirectory()) throw new StorageError(path, 'is a directory, not a database file');
  if (!st.isFile()) throw new StorageError(path, 'is not a regular file');
  if (st.size === 0) return EMPTY_HEADER;
  const buf = Buffer.alloc(100);
  const fh = await openFile(path, 'r').catch((e: Error) => {
    throw new StorageError(path, `cannot read the database file: ${e.message}`, {}, { cause: e });
  });
  try {
    const { bytesRead } = await fh.read(buf, 0, 100, 0);
    if (bytesRead < 100 || !buf.subarray(0, 16).equals(MAGIC)) {
      throw new StorageError(path, 'not an SQLite database (the file header is not "SQLite format 3"); the file was not modified');
    }
  } finally {
    await fh.close();
  }
  const raw = buf.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const counter = buf.readUInt32BE(24);
  const pages = buf.readUInt32BE(28);
  return {
    size: st.size,
    userVersion: buf.readUInt32BE(60),
    applicationId: buf.readInt32BE(68),
    pageSize,
    pages: pages > 0 && buf.readUInt32BE(92) === counter ? pages : null,
    wal: buf[18] === 2 && buf[19] === 2,
  };
}

/**
 * Why a file without pending WAL content cannot be a whole database, or null. Only meaningful when no
 * non-empty -wal file exists: a checkpoint interrupted by a crash may leave the main file shorter than
 * its header says while the WAL still holds the pages.
 */
export function truncation(h: Header): string | null {
  if (h.size === 0) return null;
  if (h.pageSize < 512 || h.pageSize > 65536 || (h.pageSize & (h.pageSize - 1)) !== 0) return `the header's page size ${h.pageSize} is invalid (damaged file)`;
  if (h.size % h.pageSize !== 0) return `the file is truncated or damaged (${h.size} bytes is not a whole number of ${h.pageSize}-byte pages)`;
  if (h.pages !== null && h.size < h.pages * h.pageSize) return `the file is truncated (${h.size} bytes; its header says ${h.pages} pages of ${h.pageSize} bytes)`;
  return null;
}
