/**
 * Read-only look at a database file for `nas doctor`: whether it exists, its schema version and
 * any problem that would stop `SqliteStorage.open` — without creating, migrating or writing it.
 */
import { resolve } from 'node:path';
import { isNasError } from '../core/errors.ts';
import { Connection, OPEN_READONLY } from './connection.ts';
import { inspect, readHeader } from './open.ts';
import { APPLICATION_ID, SCHEMA_VERSION } from './schema.ts';

export interface DatabaseInfo {
  readonly path: string;
  readonly exists: boolean;
  /** null when the file does not exist or cannot be read as a nas-codesign database. */
  readonly schemaVersion: number | null;
  readonly supportedVersion: number;
  /** Why opening it would fail (or what opening will do, e.g. migrate), else null. */
  readonly problem: string | null;
}

export async function inspectDatabase(file: string): Promise<DatabaseInfo> {
  const path = resolve(file);
  const base = { path, supportedVersion: SCHEMA_VERSION };
  try {
    const header = await readHeader(path);
    if (header === null) return { ...base, exists: false, schemaVersion: null, problem: null };
    if (header.size === 0) return { ...base, exists: true, schemaVersion: 0, problem: null };
    // Decide from the plain-fs header when it already says "not ours": opening even a read-only
    // connection on a WAL database leaves -wal/-shm files behind, which `doctor` must not do.
    const foreign = header.applicationId !== APPLICATION_ID && header.userVersion > 0 ? `not a nas-codesign database (application_id ${header.applicationId})` : null;
    if (foreign || header.userVersion > SCHEMA_VERSION) {
      return { ...base, exists: true, schemaVersion: header.userVersion, problem: foreign ?? `schema version ${header.userVersion} is newer than supported ${SCHEMA_VERSION}` };
    }
    const conn = await Connection.open(path, OPEN_READONLY);
    try {
      const found = await inspect(conn);
      const problem =
        found.appId !== APPLICATION_ID && (found.hasTables || found.version > 0) ? `not a nas-codesign database (application_id ${found.appId})`
        : found.version > SCHEMA_VERSION ? `schema version ${found.version} is newer than supported ${SCHEMA_VERSION}`
        : found.version < SCHEMA_VERSION ? `will be migrated from version ${found.version} to ${SCHEMA_VERSION} on the next write`
        : null;
      return { ...base, exists: true, schemaVersion: found.version, problem };
    } finally {
      await conn.close();
    }
  } catch (e) {
    return { ...base, exists: true, schemaVersion: null, problem: isNasError(e) ? e.message : String(e) };
  }
}
