/**
 * Storage on PostgreSQL (`--db postgres://user@host:port/database[?schema=NAME]`): the SQL stores'
 * shared class (sql-storage.ts) over a pooled PostgreSQL driver (pg-db.ts), so it keeps every
 * invariant SQLite keeps and passes the same conformance suite. What PostgreSQL adds: many
 * processes on many machines write one store at once (a search coordinator, its workers, several
 * searches), and `watchEvents` wakes readers through LISTEN/NOTIFY instead of a polling delay.
 */
import type pg from 'pg';
import { EVENTS_CHANNEL } from './sql-experiments.ts';
import { systemClock, type Clock } from './records.ts';
import type { PgDb, PgDbOptions } from './pg-db.ts';
import { openPg } from './pg-open.ts';
import { SqlStorage } from './sql-storage.ts';

export interface PgOptions extends PgDbOptions {
  readonly clock?: Clock;
}

export class PgStorage extends SqlStorage {
  private listener: { client: pg.Client; callbacks: Set<(id: number) => void> } | null = null;

  static async open(url: string, options: PgOptions = {}): Promise<PgStorage> {
    return new PgStorage(await openPg(url, options), options.clock ?? systemClock);
  }

  /** The driver, for the work queue (cluster/) which keeps its tables in the same database. */
  get driver(): PgDb {
    return this.db as PgDb;
  }

  /**
   * Calls `onEvent(id)` soon after any process commits an event to this store; returns the
   * unsubscribe. Best effort (a dropped listen connection is re-opened on the next subscribe), so
   * readers keep a slow poll as well.
   */
  async watchEvents(onEvent: (id: number) => void): Promise<() => void> {
    if (!this.listener) {
      const client = this.driver.client();
      const callbacks = new Set<(id: number) => void>();
      client.on('notification', (m) => {
        for (const cb of callbacks) cb(Number(m.payload));
      });
      client.on('error', () => {
        if (this.listener?.client === client) this.listener = null;
      });
      await client.connect();
      await client.query(`LISTEN "${this.driver.schemaKey}.${EVENTS_CHANNEL}"`);
      this.listener = { client, callbacks };
    }
    const { callbacks } = this.listener;
    callbacks.add(onEvent);
    return () => callbacks.delete(onEvent);
  }

  override async close(): Promise<void> {
    const l = this.listener;
    this.listener = null;
    if (l) await l.client.end().catch(() => undefined);
    return super.close();
  }
}
