/**
 * The PostgreSQL driver behind the SQL stores (package pg): a small connection pool, `?`
 * placeholders rewritten to `$n`, PostgreSQL errors turned into StorageError (SQLSTATE in
 * details.code) and reconnection with backoff.
 *
 * Reconnection: a server restart or a dropped connection fails the statements in flight. A unit of
 * work (read, snapshot or transaction) that failed that way before COMMIT was sent is rolled back by
 * the server, so it is run again from the start on a new connection, with exponential backoff
 * (100 ms doubling to 2 s) until `reconnectMs` has passed. A connection lost *during* COMMIT leaves
 * the outcome unknown: that is reported (StorageError 'commit outcome unknown'), never retried.
 */
import pg from 'pg';
import { StorageError } from '../core/errors.ts';
import type { Param, SqlDb, SqlTx } from './sql-db.ts';

export interface PgDbOptions {
  /** Never migrates; every write throws, and the session itself is read-only. */
  readonly readonly?: boolean;
  /** How long a unit of work keeps retrying a lost connection; default 60 s. */
  readonly reconnectMs?: number;
  /** Pool size; default 4. */
  readonly poolSize?: number;
  /** Told once per outage, e.g. to print "reconnecting" on stderr. */
  readonly onReconnect?: (problem: string) => void;
}

export interface PgTarget {
  /** The connection string without our own `schema` parameter. */
  readonly connectionString: string;
  /** From `?schema=NAME`; null: the server's default search_path. */
  readonly schema: string | null;
  /** The URL without its password, for messages and `Storage.location`. */
  readonly location: string;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

export function isPgUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** Splits `postgres://user:pw@host:port/db?schema=NAME&…` into what pg takes and what we print. */
export function parsePgUrl(url: string): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StorageError('--db', `not a valid PostgreSQL URL (expected postgres://user@host:port/database)`, { url: redact(url) });
  }
  const schema = u.searchParams.get('schema');
  if (schema !== null && !SCHEMA.test(schema)) throw new StorageError(redact(url), `schema must be a lowercase identifier (got ${JSON.stringify(schema)})`);
  u.searchParams.delete('schema');
  const location = new URL(u.href);
  location.password = '';
  if (schema) location.searchParams.set('schema', schema);
  return { connectionString: u.href, schema, location: location.href };
}

function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1@');
}

/** int8 (ids, counts) as numbers: every id and count we store is far below 2^53. */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

/** `?` placeholders (outside quotes) → `$1, $2, …`. */
export function numbered(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = '';
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}

const LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
/** Deadlock or serialization failure: PostgreSQL rolled the transaction back; running it again is safe. */
const RETRY_TX = new Set(['40001', '40P01']);

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown })?.code ?? (e as { details?: { code?: unknown } })?.details?.code;
  return typeof code === 'string' ? code : '';
}

/** A lost connection (server restart, network drop, pool of dead clients). */
export function isConnectionLost(e: unknown): boolean {
  const msg = (e as Error)?.message ?? '';
  return LOST.has(codeOf(e)) || /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(msg);
}

export function wrapPg(location: string, e: unknown): Error {
  if (e instanceof StorageError || (e instanceof Error && 'kind' in e)) return e;
  const err = e as Error & { code?: string; detail?: string };
  const code = codeOf(e) || 'UNKNOWN';
  const hint = isConnectionLost(e) ? 'cannot reach the PostgreSQL server'
    : code === '28P01' || code === '28000' ? 'authentication failed'
    : code === '3D000' ? 'database does not exist'
    : code === '25006' ? 'storage was opened read-only'
    : 'query failed';
  return new StorageError(location, `${hint}: ${err?.message ?? String(e)}`, { code }, { cause: e });
}

class CommitUnknown extends Error {}

const ignore = (): void => {};

class PgTx implements SqlTx {
  constructor(private readonly client: pg.PoolClient, readonly path: string, private readonly schemaKey: string) {}

  private async query<T>(sql: string, params: readonly Param[]): Promise<pg.QueryResult<T & pg.QueryResultRow>> {
    // without parameters: the simple protocol, which also takes several statements (migrations)
    return params.length === 0 ? this.client.query<T & pg.QueryResultRow>(sql) : this.client.query<T & pg.QueryResultRow>(numbered(sql), params as unknown[]);
  }

  async get<T>(sql: string, params: readonly Param[] = []): Promise<T | undefined> {
    return (await this.query<T>(sql, params)).rows[0];
  }

  async all<T>(sql: string, params: readonly Param[] = []): Promise<T[]> {
    return (await this.query<T>(sql, params)).rows;
  }

  async run(sql: string, params: readonly Param[] = []): Promise<{ changes: number }> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  async lock(resource: 'events' | { readonly experiment: number }): Promise<void> {
    if (resource === 'events') await this.client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.schemaKey}.events`]);
    // NO KEY UPDATE: serialises trial numbering without blocking foreign-key checks of other rows
    else await this.client.query('SELECT 1 FROM experiments WHERE id = $1 FOR NO KEY UPDATE', [resource.experiment]);
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.client.query('SELECT pg_notify($1, $2)', [`${this.schemaKey}.${channel}`, payload]);
  }
}

export class PgDb implements SqlDb {
  private closing: Promise<void> | undefined;
  private outage = false;

  private constructor(private readonly pool: pg.Pool, readonly target: PgTarget, private readonly options: PgDbOptions) {}

  /** A pool for `url`; connects lazily (the first unit of work reports an unreachable server). */
  static create(url: string, options: PgDbOptions = {}): PgDb {
    const target = parsePgUrl(url);
    const settings = [target.schema ? `-c search_path=${target.schema}` : '', options.readonly ? '-c default_transaction_read_only=on' : ''].filter(Boolean).join(' ');
    const pool = new pg.Pool({
      connectionString: target.connectionString,
      max: options.poolSize ?? 4,
      types: TYPES,
      connectionTimeoutMillis: 10_000,
      application_name: 'nas-codesign',
      ...(settings ? { options: settings } : {}),
    });
    // An idle client whose server went away: the pool drops it; the next unit of work reconnects.
    pool.on('error', () => undefined);
    return new PgDb(pool, target, options);
  }

  get path(): string {
    return this.target.location;
  }

  get readonly(): boolean {
    return this.options.readonly === true;
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** The key that separates this schema's locks and channels from other schemas' in the same database. */
  get schemaKey(): string {
    return this.target.schema ?? 'public';
  }

  private alive(): void {
    if (this.closing) throw new StorageError(this.path, 'storage is closed');
  }

  /** Runs `fn` on one pooled client, again from the start after a lost connection (see header). */
  async withClient<T>(fn: (tx: PgTx, client: pg.PoolClient) => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.options.reconnectMs ?? 60_000);
    for (let attempt = 0; ; attempt++) {
      this.alive();
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        // A checked-out client whose server goes away between two statements emits 'error'; without a
        // listener that would end the process. The next statement fails too, and is retried below.
        client.on('error', ignore);
        const out = await fn(new PgTx(client, this.path, this.schemaKey), client);
        client.off('error', ignore);
        client.release();
        if (this.outage) this.outage = false;
        return out;
      } catch (e) {
        // a client that saw a connection error must not go back to the pool
        client?.off('error', ignore);
        client?.release(isConnectionLost(e) ? true : undefined);
        if (e instanceof CommitUnknown) throw new StorageError(this.path, `connection lost during COMMIT: the outcome of this write is unknown (${e.message})`, { code: 'COMMIT_UNKNOWN' }, { cause: e });
        const retry = (isConnectionLost(e) || RETRY_TX.has(codeOf(e))) && Date.now() < deadline && !this.closing;
        if (!retry) throw wrapPg(this.path, e);
        if (!this.outage && isConnectionLost(e)) {
          this.outage = true;
          this.options.onReconnect?.(`${this.path}: ${(e as Error).message}; reconnecting`);
        }
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  read<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.withClient((tx) => fn(tx));
  }

  snapshot<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.within('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.within('BEGIN', fn);
  }

  private within<T>(begin: string, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.withClient(async (tx) => {
      await tx.exec(begin);
      let out: T;
      try {
        out = await fn(tx);
      } catch (e) {
        await tx.exec('ROLLBACK').catch(() => undefined);
        throw e;
      }
      try {
        await tx.exec('COMMIT');
      } catch (e) {
        if (isConnectionLost(e)) throw new CommitUnknown((e as Error).message);
        throw e;
      }
      return out;
    });
  }

  async schemaVersion(): Promise<number> {
    this.alive();
    return this.read(async (tx) => Number((await tx.get<{ value: string }>("SELECT value FROM nas_meta WHERE key = 'schema_version'"))?.value ?? 0));
  }

  /** A dedicated connection outside the pool (LISTEN needs one that stays open). */
  client(): pg.Client {
    const settings = this.target.schema ? `-c search_path=${this.target.schema}` : '';
    return new pg.Client({ connectionString: this.target.connectionString, types: TYPES, application_name: 'nas-codesign', ...(settings ? { options: settings } : {}) });
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end().catch(() => undefined);
    return this.closing;
  }
}
