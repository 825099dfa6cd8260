/**
 * The seam between the SQL stores' statements (sql-experiments.ts, sql-trials.ts, sql-artifacts.ts)
 * and a database driver: SQLite (connection.ts) and PostgreSQL (pg-db.ts) implement it, so both
 * stores run the same statements and return the same records. Statements are written once in the
 * dialect both understand (`?` placeholders, `INSERT … RETURNING`, `ON CONFLICT … DO UPDATE`);
 * what differs — locking between concurrent writers, notifications — sits behind `lock` and `notify`.
 */
/** A statement parameter; arrays only for PostgreSQL (`= ANY(?)`), which the SQLite statements never use. */
export type Param = string | number | boolean | null | Uint8Array | readonly string[];

/** One unit of work's statements: a transaction (writes) or a pinned connection (reads). */
export interface SqlTx {
  /** Where the data lives, for error messages (a file path, or a URL without its password). */
  readonly path: string;
  get<T>(sql: string, params?: readonly Param[]): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly Param[]): Promise<T[]>;
  /** `changes`: rows inserted, updated or deleted. */
  run(sql: string, params?: readonly Param[]): Promise<{ readonly changes: number }>;
  /**
   * Serialises the writers of `resource` until the transaction ends. SQLite holds the database's
   * write lock for every write transaction already (no-op); PostgreSQL takes a row or advisory lock,
   * so trial numbers stay dense per experiment and event ids are committed in id order.
   */
  lock(resource: 'events' | { readonly experiment: number }): Promise<void>;
  /** Tells listeners on other connections that something changed, at commit (PostgreSQL NOTIFY; SQLite: no-op). */
  notify(channel: string, payload: string): Promise<void>;
}

export interface SqlDb {
  readonly path: string;
  readonly readonly: boolean;
  /** True once close() has been called. */
  readonly isClosed: boolean;
  schemaVersion(): Promise<number>;
  /** Statements that read; they see committed data (each statement its own snapshot). */
  read<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /** Statements that read from one snapshot (a page and its total agree). */
  snapshot<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /** A write transaction: every statement or none; any throw rolls back and rethrows. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** PostgreSQL's 23505: a UNIQUE constraint refused the write (two writers raced for one key). */
export function isUniqueViolation(e: unknown): boolean {
  return (e as { details?: { code?: unknown } } | null)?.details?.code === '23505';
}
