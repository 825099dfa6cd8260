/**
 * Storage on an SQLite file (package sqlite3): one connection per SqliteStorage, WAL so one writer
 * (the search) and many readers (the UI, opened with `readonly: true`) run side by side.
 * Opening classifies the file for the mode and refuses foreign files, newer schemas and read-only
 * locations before writing (open.ts, classify.ts); every Storage method is the SQL stores' shared
 * one (sql-storage.ts) over this connection.
 */
import type { Connection } from './connection.ts';
import { openChecked, type DatabaseCheck, type OpenOptions } from './open.ts';
import { systemClock, type Clock } from './records.ts';
import { SqlStorage } from './sql-storage.ts';

export interface SqliteOptions extends OpenOptions {
  /** Clock for timestamps (tests); default the system clock. */
  readonly clock?: Clock;
}

export class SqliteStorage extends SqlStorage {
  private constructor(db: Connection, clock: Clock, readonly opened: DatabaseCheck) {
    super(db, clock);
  }

  /** Classifies the file for the mode first (storage/classify.ts); `opened` says what it was (missing, empty, database). */
  static async open(file: string, options: SqliteOptions = {}): Promise<SqliteStorage> {
    const { conn, check } = await openChecked(file, options);
    return new SqliteStorage(conn, options.clock ?? systemClock, check);
  }
}
