/**
 * Read-only look at a database file for `nas doctor`: whether it exists, its schema version and any
 * problem that would stop commands from using it — without creating, migrating or writing anything
 * (classify.ts examines it through plain fs and an immutable SQLite connection).
 */
import { resolve } from 'node:path';
import { isNasError, SchemaVersionError } from '../core/errors.ts';
import { examineDatabase } from './classify.ts';
import { SCHEMA_VERSION } from './schema.ts';

export interface DatabaseInfo {
  readonly path: string;
  readonly exists: boolean;
  /** null when the file does not exist or cannot be read as a nas-codesign database. */
  readonly schemaVersion: number | null;
  readonly supportedVersion: number;
  /** Why commands would refuse it (doctor then exits 7), else null. */
  readonly problem: string | null;
  /** What the next command will do with it (initialise, migrate), else null. */
  readonly note: string | null;
}

export async function inspectDatabase(file: string): Promise<DatabaseInfo> {
  const path = resolve(file);
  const base = { path, supportedVersion: SCHEMA_VERSION };
  try {
    const f = await examineDatabase(path);
    if (f.state === 'missing') {
      return { ...base, exists: false, schemaVersion: null, problem: f.dirExists ? null : 'its directory does not exist', note: null };
    }
    const readOnly = f.writable ? null : 'read-only location: read commands work, writing commands are refused';
    if (f.state === 'empty') return { ...base, exists: true, schemaVersion: 0, problem: null, note: `not initialised: \`nas search\` initialises it${readOnly ? `; ${readOnly}` : ''}` };
    const migrate = f.version < SCHEMA_VERSION ? `will be migrated from version ${f.version} to ${SCHEMA_VERSION} on the next write` : null;
    return { ...base, exists: true, schemaVersion: f.version, problem: null, note: [migrate, readOnly].filter(Boolean).join('; ') || null };
  } catch (e) {
    return { ...base, exists: true, schemaVersion: e instanceof SchemaVersionError ? e.found : null, problem: isNasError(e) ? e.message : String(e), note: null };
  }
}
