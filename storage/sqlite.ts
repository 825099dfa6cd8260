/**
 * Storage on an SQLite file (package sqlite3): one connection per SqliteStorage, WAL so one writer
 * (the search) and many readers (the UI, opened with `readonly: true`) run side by side.
 * Opening refuses foreign files, newer schemas and read-only locations before writing (open.ts);
 * every Storage method is the SQL stores' shared one (sql-storage.ts) over this connection.
 */
import { openDatabase, type OpenOptions } from './open.ts';
import { systemClock, type Clock } from './records.ts';
import { SqlStorage } from './sql-storage.ts';

export interface SqliteOptions extends OpenOptions {
  /** Clock for timestamps (tests); default the system clock. */
  readonly clock?: Clock;
}

export class SqliteStorage extends SqlStorage {
  static async open(file: string, options: SqliteOptions = {}): Promise<SqliteStorage> {
    return new SqliteStorage(await openDatabase(file, options), options.clock ?? systemClock);
  }
}
